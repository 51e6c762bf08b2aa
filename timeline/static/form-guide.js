// Forms that guide, enhanced: focus the error summary where autofocus was ignored, and preview the date
// as it is typed with the server's own parser (GET /dates/preview), so the wording is the server's.
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary && document.activeElement !== summary) {
    summary.focus();
  }
  var input = document.getElementById("date");
  var out = document.getElementById("date-preview");
  if (!input || !out || !window.fetch) {
    return;
  }
  var url = out.getAttribute("data-preview-url");
  var timer = null;
  var asked = 0;
  function show(answer) {
    out.textContent = "";
    if (!answer.text) {
      return;
    }
    if (answer.valid) {
      out.appendChild(document.createTextNode("Reads as: " + answer.text + " → "));
      var strong = document.createElement("strong");
      strong.textContent = answer.display;
      out.appendChild(strong);
    } else {
      out.textContent = answer.message;
    }
  }
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var ticket = ++asked;
      fetch(url + "?d=" + encodeURIComponent(input.value), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (answer) { if (ticket === asked) { show(answer); } })
        .catch(function () { /* the server-side preview on submit still works */ });
    }, 250);
  });
})();
