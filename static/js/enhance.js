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
