// Repeating groups (forms_engine/qtypes/repeat.html): the "none"/N/A switch hides the rows and the add
// button; choosing it while rows hold answers asks first (the save then clears them). Without this file the
// switch still works: the server clears the rows on save. The add/remove buttons are plain submit buttons.
(function () {
  "use strict";
  var form = document.getElementById("answer-form");
  if (!form) { return; }

  function filled(rows) {
    return Array.prototype.some.call(rows.querySelectorAll("input, textarea, select"), function (el) {
      if (el.type === "checkbox" || el.type === "radio") { return el.checked; }
      return el.type !== "submit" && el.type !== "button" && el.value !== "";
    });
  }

  function sync(group) {
    var rows = form.querySelector('[data-rows-for="' + group + '"]');
    var on = form.querySelectorAll('[data-repeat-switch="' + group + '"]:checked').length > 0;
    if (rows) { rows.hidden = on; }
  }

  form.addEventListener("change", function (event) {
    var el = event.target;
    var group = el.getAttribute && el.getAttribute("data-repeat-switch");
    if (!group) { return; }
    var rows = form.querySelector('[data-rows-for="' + group + '"]');
    if (el.checked && rows && !rows.hidden && filled(rows) && !window.confirm(el.getAttribute("data-confirm"))) {
      el.checked = false;
      return;
    }
    if (el.checked) {  // "none" and N/A exclude each other
      form.querySelectorAll('[data-repeat-switch="' + group + '"]').forEach(function (other) {
        if (other !== el) { other.checked = false; }
      });
    }
    sync(group);
  });
})();
