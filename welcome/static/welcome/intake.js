/* Keyboard-only intake: Enter on a select or checkbox saves too, and a form is sent once. */
(function () {
  "use strict";
  document.querySelectorAll("form[data-enter-submits]").forEach(function (form) {
    form.addEventListener("keydown", function (event) {
      var target = event.target;
      if (event.key !== "Enter" || event.altKey || event.ctrlKey || event.shiftKey) {
        return;
      }
      if (target.tagName === "SELECT" || (target.tagName === "INPUT" && target.type === "checkbox")) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
  });
  document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) {
        event.preventDefault();
        return;
      }
      form.dataset.sent = "1";
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.disabled = true;
      });
    });
  });
})();
