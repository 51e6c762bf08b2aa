// Starts TimelineJS3 on the embed page from files served by this site (no CDN, no web fonts).
(function () {
  "use strict";
  var holder = document.getElementById("timeline-embed");
  if (!holder || !window.TL) { return; }
  window.timeline = new TL.Timeline("timeline-embed", holder.getAttribute("data-source"), {
    script_path: new URL(holder.getAttribute("data-script-path"), window.location.href).toString(),
    font: null,
    hash_bookmark: true,  // deep links: #event-<id> opens that event
    initial_zoom: 2,
    timenav_position: "bottom"
  });
})();
