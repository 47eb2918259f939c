// Paper version of a survey: a "Print" button for browsers with JavaScript.
// Without JavaScript the button stays hidden and the note next to it explains how to print.
(function () {
  "use strict";
  var button = document.querySelector("[data-print]");
  if (!button || typeof window.print !== "function") {
    return;
  }
  button.addEventListener("click", function () {
    window.print();
  });
  button.hidden = false;
}());
