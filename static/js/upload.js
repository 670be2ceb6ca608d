// Drag and drop on the upload form: dropped files go into the file input.
(function () {
  "use strict";
  var zone = document.querySelector("[data-drop-zone]");
  if (!zone) return;
  var input = zone.querySelector("input[type=file]");
  var list = zone.querySelector("[data-drop-list]");

  function show() {
    var names = Array.prototype.map.call(input.files, function (f) { return f.name; });
    list.textContent = names.length ? names.length + " chosen: " + names.join(", ") : "";
  }

  ["dragenter", "dragover"].forEach(function (type) {
    zone.addEventListener(type, function (event) {
      event.preventDefault();
      zone.classList.add("is-dragging");
    });
  });
  ["dragleave", "drop"].forEach(function (type) {
    zone.addEventListener(type, function () { zone.classList.remove("is-dragging"); });
  });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    input.files = event.dataTransfer.files;
    show();
  });
  input.addEventListener("change", show);
})();
