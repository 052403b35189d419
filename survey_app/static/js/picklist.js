// Type-ahead pick-lists: a long choice list or a directory unit (unit_choice) is a plain <select> (or, for a
// directory too large to list, a code box) that works without JavaScript; this turns each element marked
// data-picklist into a combobox (WAI-ARIA 1.2: an input with a listbox popup, arrow keys, Enter, Escape).
// Matches come from the element's own options, or from data-picklist-url (JSON {results: [{value, label}]}),
// which the server scopes to the units the question allows. The original element stays in the form, hidden,
// and keeps the value that is posted; a "change" event on it lets form.js autosave and re-check conditions.
(function () {
  "use strict";
  if (window.SurveyPicklist) { return; }
  var LIMIT = 50; // matches shown from a local list
  var EXCLUSIVE = { "__none__": 1, "__na__": 1 };
  var count = 0;
  function gettext(text) { return window.gettext ? window.gettext(text) : text; } // i18n.js may load later

  function norm(text) { return String(text || "").toLocaleLowerCase("th").replace(/\s+/g, " ").trim(); }

  function localOptions(select) {
    return Array.prototype.filter.call(select.options || [], function (o) { return o.value !== ""; })
      .map(function (o) { return { value: o.value, label: o.textContent.trim() }; });
  }

  function setup(field) {
    count += 1;
    var id = "picklist-" + count;
    var multiple = field.multiple === true;
    var url = field.dataset.picklistUrl || "";
    var labelled = field.getAttribute("aria-labelledby") || "";
    var wrap = document.createElement("div");
    wrap.className = "picklist";
    var chips = document.createElement("div");
    chips.className = "picklist-chips";
    var input = document.createElement("input");
    input.type = "text";
    input.id = id + "-input";
    input.className = "picklist-input";
    input.autocomplete = "off";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id + "-list");
    if (labelled) { input.setAttribute("aria-labelledby", labelled); }
    if (field.getAttribute("aria-describedby")) { input.setAttribute("aria-describedby", field.getAttribute("aria-describedby")); }
    input.placeholder = field.dataset.picklistPlaceholder || gettext("พิมพ์เพื่อค้นหา…");
    var list = document.createElement("ul");
    list.id = id + "-list";
    list.className = "picklist-list";
    list.setAttribute("role", "listbox");
    if (labelled) { list.setAttribute("aria-labelledby", labelled); }
    list.hidden = true;
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    wrap.appendChild(chips);
    wrap.appendChild(input);
    wrap.appendChild(list);
    wrap.appendChild(status);
    field.parentNode.insertBefore(wrap, field.nextSibling);
    field.hidden = true;
    field.tabIndex = -1;
    var items = [];
    var active = -1;
    var timer = null;
    var asked = 0;
    var names = {}; // value -> label of what is chosen (remote results are not among the options)
    localOptions(field).forEach(function (o) { names[o.value] = o.label; });
    if (field.dataset.picklistCurrent) { names[field.value] = field.dataset.picklistCurrent; }

    function chosen() {
      if (multiple) {
        return Array.prototype.filter.call(field.options, function (o) { return o.selected; }).map(function (o) { return o.value; });
      }
      return field.value ? [field.value] : [];
    }
    function showChosen() {
      chips.textContent = "";
      if (!multiple) {
        input.value = field.value ? (names[field.value] || field.value) : "";
        return;
      }
      chosen().forEach(function (value) {
        var chip = document.createElement("button");
        chip.type = "button";
        chip.className = "picklist-chip secondary outline";
        chip.textContent = (names[value] || value) + " ×";
        chip.setAttribute("aria-label", gettext("เอาออก") + ": " + (names[value] || value));
        chip.addEventListener("click", function () { toggle(value, false); input.focus(); });
        chips.appendChild(chip);
      });
    }
    function changed() {
      field.dispatchEvent(new Event("change", { bubbles: true }));
      showChosen();
    }
    function toggle(value, on) {
      if (!multiple) {
        if (field.tagName === "SELECT" && !Array.prototype.some.call(field.options, function (o) { return o.value === value; })) {
          var opt = document.createElement("option");
          opt.value = value;
          opt.textContent = names[value] || value;
          field.appendChild(opt);
        }
        field.value = value;
        changed();
        return;
      }
      Array.prototype.forEach.call(field.options, function (o) {
        if (o.value === value) { o.selected = on; }
        else if (on && (EXCLUSIVE[value] || EXCLUSIVE[o.value])) { o.selected = false; }
      });
      changed();
    }
    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function render(results) {
      items = results;
      list.textContent = "";
      var picked = chosen();
      results.forEach(function (r, i) {
        var li = document.createElement("li");
        li.id = id + "-opt-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", picked.indexOf(r.value) >= 0 ? "true" : "false");
        li.textContent = r.label;
        li.addEventListener("mousedown", function (e) { e.preventDefault(); pick(i); });
        list.appendChild(li);
      });
      if (!results.length) {
        var none = document.createElement("li");
        none.className = "picklist-empty";
        none.textContent = gettext("ไม่พบรายการที่ตรงกับคำค้น");
        list.appendChild(none);
      }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      status.textContent = results.length ? gettext("จำนวนรายการที่พบ") + ": " + results.length : gettext("ไม่พบรายการที่ตรงกับคำค้น");
      move(results.length ? 0 : -1);
    }
    function move(index) {
      var nodes = list.querySelectorAll("[role=option]");
      if (active >= 0 && nodes[active]) { nodes[active].classList.remove("is-active"); }
      active = index;
      if (index < 0 || !nodes[index]) { input.removeAttribute("aria-activedescendant"); return; }
      nodes[index].classList.add("is-active");
      input.setAttribute("aria-activedescendant", nodes[index].id);
      nodes[index].scrollIntoView({ block: "nearest" });
    }
    function pick(index) {
      var r = items[index];
      if (!r) { return; }
      names[r.value] = r.label;
      if (multiple) {
        toggle(r.value, chosen().indexOf(r.value) < 0);
        input.value = "";
        close();
      } else {
        toggle(r.value, true);
        close();
      }
    }
    function search() {
      var words = norm(input.value).split(" ").filter(Boolean);
      if (!url) {
        var found = localOptions(field).filter(function (o) {
          var text = norm(o.label + " " + o.value);
          return words.every(function (w) { return text.indexOf(w) >= 0; });
        });
        render(found.slice(0, LIMIT));
        return;
      }
      if (!words.length) { close(); return; }
      var mine = ++asked;
      fetch(url + (url.indexOf("?") >= 0 ? "&" : "?") + "q=" + encodeURIComponent(input.value.trim()), {
        credentials: "same-origin", headers: { "Accept": "application/json" }
      }).then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) { if (mine === asked) { render(data.results || []); } })
        .catch(function () { if (mine === asked) { render([]); } });
    }
    input.addEventListener("input", function (e) {
      e.stopPropagation(); // the typed words are not an answer: form.js must not autosave or re-check them
      clearTimeout(timer);
      timer = setTimeout(search, url ? 150 : 0);
    });
    input.addEventListener("change", function (e) { e.stopPropagation(); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") {
        e.preventDefault();
        if (list.hidden) { search(); } else { move(Math.min(active + 1, items.length - 1)); }
      } else if (e.key === "ArrowUp") {
        e.preventDefault();
        move(Math.max(active - 1, 0));
      } else if (e.key === "Enter") {
        if (!list.hidden && active >= 0) { e.preventDefault(); pick(active); }
        else if (!list.hidden) { e.preventDefault(); }
      } else if (e.key === "Escape") {
        if (!list.hidden) { e.preventDefault(); close(); showChosen(); }
      }
    });
    input.addEventListener("focus", function () { if (!url && !multiple) { input.select(); } });
    input.addEventListener("blur", function () { setTimeout(function () { close(); if (!multiple) { showChosen(); } }, 120); });
    field.addEventListener("change", function (e) { if (e.isTrusted) { showChosen(); } });
    showChosen();
  }

  function init(root) {
    (root || document).querySelectorAll("[data-picklist]").forEach(function (field) {
      if (!field.dataset.picklistReady) { field.dataset.picklistReady = "1"; setup(field); }
    });
  }
  window.SurveyPicklist = { init: init };
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", function () { init(); }); }
  else { init(); }
})();
