/* Monitoring: show only the inputs of the chosen kind of period (all of them work without it). */
(function () {
  "use strict";
  var form = document.getElementById("period-form");
  if (!form) {
    return;
  }
  function update() {
    var chosen = form.querySelector("input[name=period]:checked");
    var kind = chosen ? chosen.value : "year";
    form.querySelectorAll("[data-periods]").forEach(function (group) {
      var active = group.getAttribute("data-periods").split(" ").indexOf(kind) !== -1;
      group.hidden = !active;
      group.querySelectorAll("input, select").forEach(function (input) {
        input.disabled = !active;
      });
    });
  }
  form.addEventListener("change", update);
  update();
})();
