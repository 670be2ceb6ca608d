// Timeline: linked highlighting, a summary on keyboard focus, keys that zoom and
// pan, and a brush (drag across the plot or the overview) that picks dates.
// The page works without it: the links and the form hold the same state.
(function () {
  "use strict";

  var INNER = 10; // tensions.timeline.Scale keeps marks this far inside the plot
  var DAY = 86400000;

  function toggle(eventId, on) {
    document.querySelectorAll('[data-event="' + eventId + '"]').forEach(function (el) {
      el.classList.toggle("is-linked", on);
    });
  }

  function bindLinks(selector) {
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

  // A visible summary when a mark gets the keyboard focus (hover has the title).
  function bindTips(figure) {
    var tip = document.createElement("div");
    tip.className = "timeline-tip";
    tip.setAttribute("role", "status");
    tip.hidden = true;
    figure.appendChild(tip);
    figure.querySelectorAll(".timeline-svg a").forEach(function (a) {
      a.addEventListener("focus", function () {
        var title = a.querySelector("title");
        var box = a.getBoundingClientRect();
        var frame = figure.getBoundingClientRect();
        tip.textContent = title ? title.textContent : "";
        tip.style.left = Math.max(0, box.left - frame.left - 40) + "px";
        tip.style.top = (box.bottom - frame.top + 6) + "px";
        tip.hidden = false;
      });
      a.addEventListener("blur", function () { tip.hidden = true; });
    });
  }

  function navKey(key) {
    if (key === "=" || key === "Add") { key = "+"; }
    if (key === "_" || key === "Subtract") { key = "-"; }
    return document.querySelector('.timeline-nav [data-key="' + key + '"]');
  }

  // Keys act on the timeline when it (or a mark in it) has the focus, or
  // nothing does; never while typing in the filters.
  function onKey(e) {
    if (e.altKey || e.ctrlKey || e.metaKey) { return; }
    var active = document.activeElement;
    var onTimeline = active && active.closest && active.closest("figure.timeline");
    if (!onTimeline && active !== document.body) { return; }
    var link = navKey(e.key);
    if (link) {
      e.preventDefault();
      window.location.assign(link.href);
    }
  }

  function iso(ms) {
    return new Date(ms).toISOString().slice(0, 10);
  }

  function svgX(svg, clientX) {
    var point = svg.createSVGPoint();
    point.x = clientX;
    point.y = 0;
    return point.matrixTransform(svg.getScreenCTM().inverse()).x;
  }

  function dateAt(svg, x) {
    var start = Date.parse(svg.dataset.start);
    var end = Date.parse(svg.dataset.end);
    var left = Number(svg.dataset.left) + INNER;
    var right = Number(svg.dataset.right) - INNER;
    var share = Math.min(Math.max((x - left) / (right - left), 0), 1);
    return Math.round((start + share * (end - start)) / DAY) * DAY;
  }

  function goTo(first, last) {
    var params = new URLSearchParams(window.location.search);
    params.set("start", iso(first));
    params.set("end", iso(last));
    window.location.assign(window.location.pathname + "?" + params.toString());
  }

  function bindBrush(svg) {
    var box = svg.querySelector(".brush-selection");
    var from = null;
    svg.addEventListener("pointerdown", function (e) {
      if (e.button !== 0 || e.target.closest("a")) { return; }
      from = svgX(svg, e.clientX);
      svg.setPointerCapture(e.pointerId);
      box.setAttribute("x", from);
      box.setAttribute("width", 0);
      box.hidden = false;
    });
    svg.addEventListener("pointermove", function (e) {
      if (from === null) { return; }
      var x = svgX(svg, e.clientX);
      box.setAttribute("x", Math.min(from, x));
      box.setAttribute("width", Math.abs(x - from));
    });
    svg.addEventListener("pointerup", function (e) {
      if (from === null) { return; }
      var x = svgX(svg, e.clientX);
      var a = from;
      from = null;
      box.hidden = true;
      if (Math.abs(x - a) < 4) { return; } // a click, not a drag
      var first = dateAt(svg, Math.min(a, x));
      var last = dateAt(svg, Math.max(a, x));
      if (last - first < DAY) { last = first + DAY; }
      goTo(first, last);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    bindLinks(".timeline-svg .mark");
    bindLinks(".lane-table tr[data-event]");
    document.querySelectorAll("figure.timeline").forEach(function (figure) {
      bindTips(figure);
    });
    document.addEventListener("keydown", onKey);
    document.querySelectorAll("svg.timeline-svg, svg.timeline-overview").forEach(bindBrush);
  });
})();
