// Redoc's side menu shows the Redocly logo from Redocly's CDN, which this site's Content
// Security Policy (images from this site only) blocks, with an error in the console. The
// logo's address is swapped for an empty local image before the browser fetches it; the
// "API docs by Redocly" credit stays as text.
(function () {
  "use strict";
  var CDN_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg";
  var EMPTY = "data:image/svg+xml,%3Csvg%20xmlns%3D%22http%3A%2F%2Fwww.w3.org%2F2000%2Fsvg%22%20width%3D%221%22%20height%3D%221%22%2F%3E";
  var setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    if (this instanceof HTMLImageElement && String(name).toLowerCase() === "src" && value === CDN_LOGO) {
      value = EMPTY;
    }
    return setAttribute.call(this, name, value);
  };
  var srcProperty = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
  Object.defineProperty(HTMLImageElement.prototype, "src", {
    configurable: true,
    enumerable: srcProperty.enumerable,
    get: srcProperty.get,
    set: function (value) { srcProperty.set.call(this, value === CDN_LOGO ? EMPTY : value); }
  });
})();
