/* The welcome folder's export screen: the preview follows the choice without a reload. */
(function () {
  "use strict";
  var form = document.getElementById("dossier-form");
  var frame = document.getElementById("dossier-preview");
  if (!form || !frame) {
    return;
  }
  form.addEventListener("change", function () {
    var params = new URLSearchParams();
    params.append("language", form.elements.language.value);
    form.querySelectorAll('input[name="section"]:checked').forEach(function (box) {
      params.append("section", box.value);
    });
    if (!params.has("section")) {
      return;
    }
    frame.src = form.getAttribute("data-preview") + "?" + params.toString();
  });
}());
