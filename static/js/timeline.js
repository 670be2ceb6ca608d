// Timeline: pointing at a mark lights up its row in the tables, and back.
(function () {
  "use strict";

  function toggle(eventId, on) {
    document.querySelectorAll('[data-event="' + eventId + '"]').forEach(function (el) {
      el.classList.toggle("is-linked", on);
    });
  }

  function bind(selector) {
    document.querySelectorAll(selector).forEach(function (el) {
      var id = el.getAttribute("data-event");
      ["mouseenter", "focusin"].forEach(function (name) {
        el.addEventListener(name, function () { toggle(id, true); });
      });
      ["mouseleave", "focusout"].forEach(function (name) {
        el.addEventListener(name, function () { toggle(id, false); });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    bind(".timeline-svg .mark");
    bind(".lane-table tr[data-event]");
  });
})();
