// Starts TimelineJS3 on the embed page from files served by this site (no CDN, no web fonts).
(function () {
  "use strict";
  var holder = document.getElementById("timeline-embed");
  if (!holder || !window.TL) { return; }

  // TimelineJS labels its previous/next buttons "next, <title>, <date>", a name that does not hold
  // their visible text (WCAG 2.5.3, label in name; its icon glyph counts as text too). The label is
  // dropped: the button is named by its content, the direction said by a visually hidden word.
  function labelInName(el) {
    if (el.hasAttribute("aria-label")) { el.removeAttribute("aria-label"); }
    if (!el.querySelector(".visually-hidden")) {
      var word = document.createElement("span");
      word.className = "visually-hidden";
      word.textContent = el.classList.contains("tl-slidenav-next") ? "Next: " : "Previous: ";
      el.insertBefore(word, el.firstChild);
    }
  }
  new MutationObserver(function () {
    holder.querySelectorAll(".tl-slidenav-next, .tl-slidenav-previous").forEach(labelInName);
  }).observe(holder, { subtree: true, childList: true, attributes: true, attributeFilter: ["aria-label"] });

  window.timeline = new TL.Timeline("timeline-embed", holder.getAttribute("data-source"), {
    script_path: new URL(holder.getAttribute("data-script-path"), window.location.href).toString(),
    font: null,
    hash_bookmark: true,  // deep links: #event-<id> opens that event
    initial_zoom: 2,
    timenav_position: "bottom"
  });
})();
