/* After the bank batch download starts (the page itself does not change),
   say so in a live region and reload the queue, which then shows who sent
   the last batch and which payments were in it. A static file, for the CSP. */
(function () {
  "use strict";

  var form = document.getElementById("batch-form");
  var status = document.getElementById("batch-status");
  if (!form || !status) {
    return;
  }
  form.addEventListener("submit", function (event) {
    if (event.defaultPrevented) {
      return;
    }
    status.textContent = form.getAttribute("data-started") || "";
    window.setTimeout(function () {
      window.location.reload();
    }, 2500);
  });
})();
