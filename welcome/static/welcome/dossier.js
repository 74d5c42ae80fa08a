/* The welcome folder's export screen: the preview follows the choice without a reload. */
(function () {
  "use strict";
  var form = document.getElementById("dossier-form");
  var frame = document.getElementById("dossier-preview");
  if (!form || !frame) {
    return;
  }
  // Several quick changes (ticking parts off one by one) ask for one preview, not many.
  var pending = null;
  form.addEventListener("change", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(update, 300);
  });
  function update() {
    var params = new URLSearchParams();
    params.append("language", form.elements.language.value);
    form.querySelectorAll('input[name="section"]:checked').forEach(function (box) {
      params.append("section", box.value);
    });
    if (!params.has("section")) {
      return;
    }
    frame.src = form.getAttribute("data-preview") + "?" + params.toString();
  }
}());
