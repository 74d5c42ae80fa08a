/* Behaviour that Flask-Admin wires with inline handlers, rewired so the CSP can forbid inline script. */
(function () {
  "use strict";
  // Flask-Admin's Select2 lookups and the date-range picker of list filters speak English
  // only; the base template hands over their texts in the user's language.
  var textsElement = document.getElementById("widget-texts");
  if (textsElement && window.jQuery) {
    var $ = window.jQuery;
    var texts = JSON.parse(textsElement.textContent);
    var fill = function (template, n) {
      return template.replace("{n}", n);
    };
    if ($.fn.select2) {
      var lookup = texts.select2;
      $.extend($.fn.select2.defaults, {
        formatNoMatches: function () { return lookup.noMatches; },
        formatSearching: function () { return lookup.searching; },
        formatLoadMore: function () { return lookup.loadMore; },
        formatAjaxError: function () { return lookup.ajaxError; },
        formatInputTooShort: function (input, min) {
          return fill(lookup.inputTooShort, min - input.length);
        },
        formatInputTooLong: function (input, max) {
          return fill(lookup.inputTooLong, input.length - max);
        },
        formatSelectionTooBig: function (limit) { return fill(lookup.selectionTooBig, limit); },
        formatMatches: function (count) { return fill(lookup.matches, count); }
      });
    }
    // daterangepicker.js is loaded after this file (by list pages with date filters), so its
    // plugin is wrapped the moment it is defined: every picker gets the translated labels,
    // day and month names and the first day of the week.
    var picker;
    Object.defineProperty($.fn, "daterangepicker", {
      configurable: true,
      get: function () { return picker; },
      set: function (plugin) {
        picker = function (options, callback) {
          return plugin.call(this, $.extend(true, {locale: texts.dates}, options), callback);
        };
      }
    });
  }
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

  // Long forms (the orientation interview, the clerk's intake form) keep the session and their
  // CSRF token fresh while someone is typing; an unattended screen still signs out after the
  // idle time, and then goes to the sign-in page by itself, so nobody types a whole person into
  // a form that can no longer be saved.
  var keepalive = document.querySelector("[data-keepalive]");
  if (keepalive) {
    var lastContact = Date.now();
    var idleMs = Number(keepalive.getAttribute("data-idle-seconds") || 0) * 1000;
    var expiry = null;
    var expire = function () {
      window.location.assign(window.location.href);
    };
    var contact = function () {
      lastContact = Date.now();
      if (idleMs) {
        window.clearTimeout(expiry);
        expiry = window.setTimeout(expire, idleMs + 5000);
      }
    };
    contact();
    keepalive.addEventListener("input", function () {
      if (idleMs && Date.now() - lastContact > idleMs) {
        expire();  // the computer slept and no timer ran: the session is gone already
        return;
      }
      if (Date.now() - lastContact < 60000) {
        return;
      }
      lastContact = Date.now();
      var token = keepalive.querySelector('input[name="csrf_token"]').value;
      fetch(keepalive.getAttribute("data-keepalive"), {
        method: "POST", credentials: "same-origin", headers: {"X-CSRFToken": token}
      }).then(function (response) {
        if (response.redirected || !response.ok) {
          expire();
          return null;
        }
        contact();
        return response.json();
      }).then(function (data) {
        if (data && data.csrf_token) {
          document.querySelectorAll('input[name="csrf_token"]').forEach(function (input) {
            input.value = data.csrf_token;
          });
        }
      });
    });
  }

  // In the interview, Enter continues from a select list too (browsers submit only from text
  // inputs and checkboxes), through the form's first, default button.
  document.querySelectorAll(".interview-form").forEach(function (form) {
    form.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && event.target.tagName === "SELECT" && !event.altKey) {
        event.preventDefault();
        form.requestSubmit(form.querySelector('button[type="submit"]'));
      }
    });
  });

  // Handover: a feedback link suits an e-mail; in a phone call it cannot be read out.
  document.querySelectorAll("[data-link-box]").forEach(function (select) {
    var box = document.querySelector(select.getAttribute("data-link-box"));
    select.addEventListener("change", function () {
      box.checked = select.value === "email";
    });
  });

  // Needs step of the interview: a row's details show once the need (or one of its topics)
  // is ticked; the topics of an unticked row are visible prompts but no stops for Tab.
  document.querySelectorAll(".need-row[data-need]").forEach(function (row) {
    var main = row.querySelector('input[name="' + row.getAttribute("data-need") + '"]');
    var topics = row.querySelector("[data-roving]");
    function settle() {
      row.classList.toggle("checked", main.checked);
      if (topics) {
        topics.toggleAttribute("data-roving-off", !main.checked);
        rove(topics);
      }
    }
    row.addEventListener("change", function (event) {
      if (event.target.classList.contains("topic-box") && event.target.checked) {
        main.checked = true;
      }
      settle();
    });
    settle();
  });

  // A group of checkboxes is one stop for Tab; the arrow keys move inside it ("grid": all
  // four arrows, "row": left and right). A group marked data-roving-off takes no stop at all.
  function rove(group, focused) {
    var boxes = Array.prototype.slice.call(group.querySelectorAll('input[type="checkbox"]'));
    var current = focused || boxes.filter(function (box) { return box.tabIndex === 0; })[0]
      || boxes.filter(function (box) { return box.checked; })[0] || boxes[0];
    boxes.forEach(function (box) {
      box.tabIndex = !group.hasAttribute("data-roving-off") && box === current ? 0 : -1;
    });
  }
  document.querySelectorAll("[data-roving]").forEach(function (group) {
    rove(group);
    group.addEventListener("keydown", function (event) {
      var keys = group.getAttribute("data-roving") === "grid"
        ? {ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1}
        : {ArrowRight: 1, ArrowLeft: -1};
      var step = keys[event.key];
      var boxes = Array.prototype.slice.call(group.querySelectorAll('input[type="checkbox"]'));
      var index = boxes.indexOf(event.target);
      if (!step || index < 0 || !boxes[index + step]) {
        return;
      }
      event.preventDefault();
      event.stopPropagation();
      rove(group, boxes[index + step]);
      boxes[index + step].focus();
    });
  });

  // Long lists of choices (the fields of action, the suggested partners): ↑ and ↓ jump to the
  // previous or next choice of the same list, skipping the details in between.
  document.addEventListener("keydown", function (event) {
    var from = event.target;
    var list = from.getAttribute && from.getAttribute("data-jump");
    var step = {ArrowDown: 1, ArrowUp: -1}[event.key];
    if (!list || !step) {
      return;
    }
    var items = Array.prototype.slice.call(
      document.querySelectorAll('[data-jump="' + list + '"]')).filter(function (item) {
      return item.offsetParent !== null && !item.closest("details:not([open])");
    });
    var target = items[items.indexOf(from) + step];
    if (target) {
      event.preventDefault();
      target.focus();
    }
  });
})();
