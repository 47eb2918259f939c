// New-proposal form: show only the fields the chosen way of voting uses.
// Without JavaScript every field stays visible, and each says which method it is for.
(function () {
  "use strict";
  var form = document.querySelector("[data-proposal-form]");
  if (!form) {
    return;
  }
  var usedBy = {
    options_text: ["approval", "score", "dots", "ranked"],
    threshold: ["supermajority"],
    dots_per_voter: ["dots"]
  };
  function update() {
    var checked = form.querySelector("input[name=method]:checked");
    var method = checked ? checked.value : "majority";
    Object.keys(usedBy).forEach(function (name) {
      var field = form.querySelector("#id_" + name);
      if (field) {
        field.closest("div").hidden = usedBy[name].indexOf(method) === -1;
      }
    });
  }
  form.addEventListener("change", update);
  update();
}());
