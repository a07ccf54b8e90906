/* Asks before an irreversible step. A form with `data-confirm="…"`, or a
   chosen radio button carrying `data-confirm`, shows that question in the
   browser's confirmation dialog; "Cancel" stops the submission.
   A static file, so the Content-Security-Policy needs no inline script. */
(function () {
  "use strict";

  function question(form) {
    var chosen = form.querySelector("input[type=radio]:checked[data-confirm]");
    if (chosen) {
      return chosen.getAttribute("data-confirm");
    }
    return form.getAttribute("data-confirm");
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) {
      return;
    }
    var text = question(form);
    if (text && !window.confirm(text)) {
      event.preventDefault();
    }
  });
})();
