// Progressive enhancement only: every page works without this file.
// Filter forms marked data-autosubmit apply a ticked box or a chosen option at once;
// typed values (text, dates) wait for Enter or the Apply button.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
      form.addEventListener("change", function (event) {
        var target = event.target;
        if (target.matches('input[type="checkbox"], input[type="radio"], select')) {
          form.requestSubmit ? form.requestSubmit() : form.submit();
        }
      });
    });
  });
})();

// Filter forms marked data-drop-empty send no empty parameters (no "&q=&known_at="): the
// blank fields are disabled just before the form is sent. The server also redirects a
// URL with empty parameters to the one without, so the link is the same without this.
// The filter panel ([data-filters]) starts closed on narrow screens.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-drop-empty]")) return;
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name && !el.disabled && !/^(checkbox|radio|submit|button)$/.test(el.type) &&
          el.value.trim() === "") {
        el.disabled = true;
        el.setAttribute("data-dropped", "");
      }
    });
  }, true);
  // Back to a page kept in the browser's cache: its blank fields work again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("[data-dropped]").forEach(function (el) {
      el.disabled = false;
      el.removeAttribute("data-dropped");
    });
  });
  document.addEventListener("DOMContentLoaded", function () {
    if (window.matchMedia && window.matchMedia("(max-width: 700px)").matches) {
      document.querySelectorAll("details[data-filters]").forEach(function (d) {
        d.removeAttribute("open");
      });
    }
  });
})();
