// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Ask before actions marked data-confirm (return, reopen, bulk certify...).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
})();
