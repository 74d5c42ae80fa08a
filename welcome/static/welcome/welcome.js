/* Behaviour that Flask-Admin wires with inline handlers, rewired so the CSP can forbid inline script. */
(function () {
  "use strict";
  // Flask-Admin's "javascript:void(0)" links would trip the CSP; their handlers still run.
  document.addEventListener("click", function (event) {
    if (event.target.closest('a[href^="javascript:"]')) {
      event.preventDefault();
    }
  }, true);

  document.addEventListener("click", function (event) {
    var confirmer = event.target.closest("[data-confirm]");
    if (confirmer && !window.confirm(confirmer.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopPropagation();
      return;
    }
    var action = event.target.closest("[data-model-action]");
    if (action && window.modelActions) {
      event.preventDefault();
      window.modelActions.execute(action.getAttribute("data-model-action"));
      return;
    }
    var copier = event.target.closest("[data-copy]");
    if (copier) {
      var source = document.querySelector(copier.getAttribute("data-copy"));
      source.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(source.value);
      } else {
        document.execCommand("copy");
      }
      copier.classList.add("btn-success");
      return;
    }
    var inlineAdd = event.target.closest("[data-inline-add]");
    if (inlineAdd && window.faForm) {
      event.preventDefault();
      window.faForm.addInlineField(inlineAdd, inlineAdd.getAttribute("data-inline-add"));
    }
  });
})();
