// Chart tooltips on keyboard focus and on tap (the charts work without this: links, <title>, tables).
(function () {
  "use strict";
  var tip = null, owner = null;
  function hide() {
    if (tip) { tip.remove(); tip = null; }
    owner = null;
  }
  function show(point) {
    hide();
    var figure = point.closest("figure.chart");
    if (!figure) { return; }
    tip = document.createElement("div");
    tip.className = "chart-tip";
    tip.setAttribute("role", "status");
    tip.textContent = point.getAttribute("data-tip");
    var link = document.createElement("a");
    link.href = point.getAttribute("href");
    link.textContent = "Open the statement";
    tip.appendChild(document.createTextNode(" "));
    tip.appendChild(link);
    figure.appendChild(tip);
    var box = point.getBoundingClientRect(), frame = figure.getBoundingClientRect();
    var left = Math.max(0, Math.min(box.left - frame.left - 40, frame.width - tip.offsetWidth));
    tip.style.left = left + "px";
    tip.style.top = (box.bottom - frame.top + 6) + "px";
    owner = point;
  }
  document.addEventListener("focusin", function (event) {
    var point = event.target.closest && event.target.closest("a.point");
    if (point) { show(point); } else if (!(tip && tip.contains(event.target))) { hide(); }
  });
  // Whether the tapped point's tooltip was already open when the tap began (focus opens it mid-tap).
  var openAtTap = null;
  document.addEventListener("pointerdown", function (event) {
    var point = event.target.closest && event.target.closest("a.point");
    openAtTap = point ? owner === point : null;
  });
  document.addEventListener("click", function (event) {
    var point = event.target.closest && event.target.closest("a.point");
    var wasOpen = openAtTap === null ? true : openAtTap;  // keyboard Enter: no pointer, follow the link
    openAtTap = null;
    if (!point) {
      if (tip && !tip.contains(event.target)) { hide(); }
      return;
    }
    // First tap shows the tooltip; a second tap on the same point follows the link.
    if (!wasOpen) { event.preventDefault(); show(point); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { hide(); }
  });
})();
