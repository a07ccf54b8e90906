/* Session end, seen from the browser (no personal data leaves this tab).
 *
 * 1. Warns two minutes before the idle timeout ends the session; "Stay signed
 *    in" makes one request, which counts as activity.
 * 2. Keeps what was typed in a form that is submitted: if the session had
 *    ended, the server sends the person to sign in again and then back to the
 *    form's page, where the values are put back. The copy lives only in this
 *    tab's sessionStorage and is dropped on the next page that is not the
 *    sign-in page. Passwords, files and CSRF tokens are never kept.
 */
(function () {
  "use strict";
  var DRAFT = "vaf-form-draft";
  var RESTORE = "vaf-form-restore";
  var body = document.body;
  var idleSeconds = parseInt(body.getAttribute("data-session-idle-seconds") || "0", 10);
  // Sign-in and second-factor pages keep the copy for the page after them.
  var onLoginPage = document.querySelector("[data-keep-form-draft]") !== null;
  var storage;
  try { storage = window.sessionStorage; } catch (e) { storage = null; }

  function keepable(el) {
    if (!el.name || el.disabled) { return false; }
    var type = (el.type || "").toLowerCase();
    return ["password", "file", "hidden", "submit", "button", "reset"].indexOf(type) === -1;
  }

  function saveDraft(form) {
    if (!storage || onLoginPage) { return; }
    var fields = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!keepable(el)) { return; }
      var type = (el.type || "").toLowerCase();
      if (type === "checkbox" || type === "radio") {
        fields.push({ name: el.name, value: el.value, checked: el.checked });
      } else if (el.tagName === "SELECT" && el.multiple) {
        fields.push({ name: el.name, values: Array.prototype.filter.call(el.options, function (o) { return o.selected; }).map(function (o) { return o.value; }) });
      } else {
        fields.push({ name: el.name, value: el.value });
      }
    });
    var index = Array.prototype.indexOf.call(document.forms, form);
    storage.setItem(DRAFT, JSON.stringify({ path: window.location.pathname, form: index, fields: fields }));
  }

  function restoreDraft(draft) {
    var form = document.forms[draft.form];
    if (!form) { return; }
    draft.fields.forEach(function (field) {
      var els = form.elements.namedItem(field.name);
      if (!els) { return; }
      var list = els.length !== undefined && !els.tagName ? Array.prototype.slice.call(els) : [els];
      list.forEach(function (el) {
        var type = (el.type || "").toLowerCase();
        if (type === "checkbox" || type === "radio") {
          if (el.value === field.value) { el.checked = field.checked; }
        } else if (field.values) {
          Array.prototype.forEach.call(el.options, function (o) { o.selected = field.values.indexOf(o.value) !== -1; });
        } else if (keepable(el)) {
          el.value = field.value;
        }
      });
    });
    var note = document.createElement("div");
    note.className = "alert alert-info";
    note.setAttribute("role", "status");
    note.id = "form-restored";
    note.textContent = body.getAttribute("data-restored-text") || "";
    form.parentNode.insertBefore(note, form);
  }

  if (storage) {
    if (onLoginPage) {
      if (document.querySelector("[data-session-expired]")) { storage.setItem(RESTORE, "1"); }
    } else {
      var raw = storage.getItem(DRAFT);
      if (raw && storage.getItem(RESTORE) === "1") {
        try {
          var draft = JSON.parse(raw);
          if (draft.path === window.location.pathname) { restoreDraft(draft); }
        } catch (e) { /* a damaged copy is dropped */ }
      }
      storage.removeItem(DRAFT);
      storage.removeItem(RESTORE);
    }
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (form && (form.method || "").toLowerCase() === "post") { saveDraft(form); }
    }, true);
  }

  if (idleSeconds > 0) {
    var warning = document.getElementById("session-warning");
    var timer = null;
    var arm = function () {
      if (timer) { window.clearTimeout(timer); }
      if (warning) { warning.classList.add("d-none"); }
      timer = window.setTimeout(function () {
        if (warning) { warning.classList.remove("d-none"); }
      }, Math.max(0, idleSeconds - 120) * 1000);
    };
    var button = document.getElementById("session-keepalive");
    if (button) {
      button.addEventListener("click", function () {
        window.fetch(body.getAttribute("data-keepalive-url"), { credentials: "same-origin" }).then(arm, arm);
      });
    }
    arm();
  }
}());
