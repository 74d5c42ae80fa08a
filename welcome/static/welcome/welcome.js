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

  // A picker whose choices depend on another field of the form (a referral's need on its
  // case) sends that field's value along with every lookup.
  if (window.jQuery) {
    window.jQuery.ajaxPrefilter(function (options) {
      document.querySelectorAll("input[data-scope][data-url]").forEach(function (picker) {
        var scope = picker.getAttribute("data-scope");
        var source = document.getElementById(scope);
        if (options.url.indexOf(picker.getAttribute("data-url")) === 0 && source && source.value) {
          options.url += "&" + encodeURIComponent(scope) + "=" + encodeURIComponent(source.value);
        }
      });
    });
  }

  // Long forms (the orientation interview) keep the session and their CSRF token fresh while
  // someone is typing; an unattended screen still signs out after the idle time.
  var keepalive = document.querySelector("[data-keepalive]");
  if (keepalive) {
    var lastPing = Date.now();
    keepalive.addEventListener("input", function () {
      if (Date.now() - lastPing < 60000) {
        return;
      }
      lastPing = Date.now();
      var token = keepalive.querySelector('input[name="csrf_token"]').value;
      fetch(keepalive.getAttribute("data-keepalive"), {
        method: "POST", credentials: "same-origin", headers: {"X-CSRFToken": token}
      }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (data) {
        if (data && data.csrf_token) {
          document.querySelectorAll('input[name="csrf_token"]').forEach(function (input) {
            input.value = data.csrf_token;
          });
        }
      });
    });
  }

  // Needs step of the interview: a row's details show once the need (or one of its topics)
  // is ticked.
  document.querySelectorAll(".need-row[data-need]").forEach(function (row) {
    var main = row.querySelector('input[name="' + row.getAttribute("data-need") + '"]');
    row.addEventListener("change", function (event) {
      if (event.target.classList.contains("topic-box") && event.target.checked) {
        main.checked = true;
      }
      row.classList.toggle("checked", main.checked);
    });
  });
})();
