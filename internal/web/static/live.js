// Live tally: progressive enhancement. The page is complete without it;
// with it, the chart is replaced by the server's rendering after every
// block that changes it (Server-Sent Events).
(function () {
  "use strict";
  var el = document.querySelector("[data-live]");
  if (!el || !window.EventSource) { return; }
  var src = new EventSource(el.getAttribute("data-live"));
  src.addEventListener("tally", function (ev) {
    var doc = new DOMParser().parseFromString(ev.data, "image/svg+xml");
    var svg = doc.documentElement;
    if (svg && svg.nodeName === "svg") {
      el.replaceChildren(document.importNode(svg, true));
      el.setAttribute("data-height", ev.lastEventId);
    }
  });
})();
