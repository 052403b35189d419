// Interface text for the scripts. The scripts write Thai and call gettext("…"); an English page carries the
// English of those texts in a JSON block the server renders (base.html, i18n.js_texts), a Thai page none.
(function () {
  "use strict";
  var block = document.getElementById("js-texts");
  var texts = {};
  try { texts = block ? JSON.parse(block.textContent) : {}; } catch (e) { texts = {}; }
  window.gettext = function (text) {
    return Object.prototype.hasOwnProperty.call(texts, text) ? texts[text] : text;
  };
})();
