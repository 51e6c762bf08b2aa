// "Share / embed": height presets change the snippets in place, and each snippet gets a copy button.
// An enhancement: without JavaScript the presets are links and the snippets can be selected and copied.
(function () {
  "use strict";
  document.querySelectorAll("details.share").forEach(function (box) {
    var snippets = box.querySelectorAll("textarea[data-share-snippet]");
    box.querySelectorAll("[data-share-presets] a[data-height]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        var height = link.getAttribute("data-height");
        snippets.forEach(function (area) {
          area.value = area.value.replace(/height="\d+"/, 'height="' + height + '"');
        });
        box.querySelectorAll("[data-share-presets] a").forEach(function (other) {
          if (other === link) { other.setAttribute("aria-current", "true"); }
          else { other.removeAttribute("aria-current"); }
        });
        if (window.history && window.history.replaceState) {
          window.history.replaceState(null, "", link.href);
        }
      });
    });
    snippets.forEach(function (area) {
      var button = document.createElement("button");
      var status = document.createElement("span");
      button.type = "button";
      button.className = "secondary copy";
      button.textContent = "Copy";
      status.className = "small muted";
      status.setAttribute("role", "status");
      button.addEventListener("click", function () {
        var done = function () { status.textContent = " Copied."; };
        area.select();
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(area.value).then(done, function () {
            status.textContent = document.execCommand("copy") ? " Copied." : " Select the text and copy it.";
          });
        } else {
          status.textContent = document.execCommand("copy") ? " Copied." : " Select the text and copy it.";
        }
      });
      area.insertAdjacentElement("afterend", status);
      area.insertAdjacentElement("afterend", button);
    });
  });
})();
