// Print button and print date for summary pages (概要版). Loaded as a file, so pages keep
// working under a strict Content-Security-Policy; without JavaScript the button stays
// hidden and the page shows its build date instead.
(function () {
  "use strict";
  function today() {
    var d = new Date();
    return d.getFullYear() + "年" + (d.getMonth() + 1) + "月" + d.getDate() + "日";
  }
  function stampDate() {
    var els = document.querySelectorAll("[data-print-date]");
    for (var i = 0; i < els.length; i++) els[i].textContent = "印刷日 " + today();
  }
  document.addEventListener("DOMContentLoaded", function () {
    var buttons = document.querySelectorAll("[data-print]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      buttons[i].addEventListener("click", function () { window.print(); });
    }
    stampDate();
  });
  window.addEventListener("beforeprint", stampDate);
})();
