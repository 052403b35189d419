// Buddhist-Era date fields (input[data-be-date]): typed as วว/ดด/ปปปป (the slashes come by themselves as
// digits are typed, Thai digits too) or picked from a small calendar that shows BE years. A native date
// input cannot do either: it types and picks Christian-Era years. The server reads the text again
// (core/thai.py parse_be_date), which stays the rule; this file only helps to type it.
// Keyboard: arrows move a day or a week, Page Up/Down a month (with Shift a year), Home/End the week,
// Enter picks, Escape closes and returns to the button.
(function () {
  "use strict";
  var gettext = window.gettext || function (text) { return text; };  // js/i18n.js: English on an English page
  var MONTHS = [gettext("มกราคม"), gettext("กุมภาพันธ์"), gettext("มีนาคม"), gettext("เมษายน"), gettext("พฤษภาคม"), gettext("มิถุนายน"),
                gettext("กรกฎาคม"), gettext("สิงหาคม"), gettext("กันยายน"), gettext("ตุลาคม"), gettext("พฤศจิกายน"), gettext("ธันวาคม")];
  var DAYS = [gettext("อา"), gettext("จ"), gettext("อ"), gettext("พ"), gettext("พฤ"), gettext("ศ"), gettext("ส")];
  var DAY_NAMES = [gettext("อาทิตย์"), gettext("จันทร์"), gettext("อังคาร"), gettext("พุธ"), gettext("พฤหัสบดี"), gettext("ศุกร์"), gettext("เสาร์")];
  var BE = 543;
  var THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙";
  // Drawn, not an emoji: office PCs often have no emoji font.
  var CALENDAR_ICON = '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false" fill="none" ' +
    'stroke="currentColor" stroke-width="2" stroke-linecap="round"><rect x="3" y="5" width="18" height="16" rx="2"/>' +
    '<path d="M3 10h18M8 3v4M16 3v4M7 14h2M11 14h2M15 14h2M7 18h2M11 18h2"/></svg>';

  function arabic(text) {
    return String(text).replace(/[๐-๙]/g, function (c) { return String(THAI_DIGITS.indexOf(c)); });
  }
  function day(y, m, d) { return new Date(Date.UTC(y, m, d)); }  // days in UTC: no time-zone shifts
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function format(date) {
    return pad(date.getUTCDate()) + "/" + pad(date.getUTCMonth() + 1) + "/" + (date.getUTCFullYear() + BE);
  }
  function iso(date) { return date.toISOString().slice(0, 10); }
  // The same forms the server accepts: d/m/yyyy (/ . -) or ddmmyyyy in BE, or ISO; null otherwise.
  function parse(text) {
    var s = arabic(text).replace(/\s+/g, "");
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
    var y, mo, d;
    if (m) { y = +m[1]; mo = +m[2]; d = +m[3]; }
    else {
      m = /^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$/.exec(s) || /^(\d{2})(\d{2})(\d{4})$/.exec(s);
      if (!m || +m[3] < 2400) { return null; }
      d = +m[1]; mo = +m[2]; y = +m[3] - BE;
    }
    var date = day(y, mo - 1, d);
    return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d ? date : null;
  }
  function fromIso(text) { return text ? parse(text) : null; }
  function addMonths(date, n) {
    var target = day(date.getUTCFullYear(), date.getUTCMonth() + n, 1);
    var last = day(target.getUTCFullYear(), target.getUTCMonth() + 1, 0).getUTCDate();
    return day(target.getUTCFullYear(), target.getUTCMonth(), Math.min(date.getUTCDate(), last));
  }
  function addDays(date, n) { return day(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + n); }
  function today() { var now = new Date(); return day(now.getFullYear(), now.getMonth(), now.getDate()); }
  function label(date) {
    return DAY_NAMES[date.getUTCDay()] + " " + date.getUTCDate() + " " + MONTHS[date.getUTCMonth()] + " " +
      (date.getUTCFullYear() + BE);
  }

  var counter = 0;
  function enhance(input) {
    if (input.dataset.beReady) { return; }
    input.dataset.beReady = "1";
    var id = "be-picker-" + (++counter);
    var wrap = document.createElement("span");
    wrap.className = "be-date-wrap";
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "be-date-button secondary outline";
    button.setAttribute("aria-label", gettext("เลือกวันที่จากปฏิทิน (พ.ศ.)"));
    button.setAttribute("aria-haspopup", "dialog");
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", id);
    button.dataset.testid = "date-picker-" + input.id;
    button.innerHTML = CALENDAR_ICON;
    wrap.appendChild(button);
    var min = fromIso(input.dataset.min), max = fromIso(input.dataset.max);
    var panel = null, focused = null;

    input.addEventListener("input", function (event) {  // slashes come by themselves while typing digits
      if (event.inputType !== "insertText") { return; }
      var v = input.value;
      if (event.data === "/" && /\/\/$/.test(v)) { input.value = v.slice(0, -1); return; }  // typed over the one that came by itself
      if (/^[0-9๐-๙]{2}$/.test(v) || /^[0-9๐-๙]{1,2}\/[0-9๐-๙]{2}$/.test(v)) { input.value = v + "/"; }
    });

    function allowed(date) { return (!min || date >= min) && (!max || date <= max); }
    function close(returnFocus) {
      if (!panel) { return; }
      panel.remove();
      panel = null;
      button.setAttribute("aria-expanded", "false");
      document.removeEventListener("mousedown", outside, true);
      if (returnFocus) { button.focus(); }
    }
    function outside(event) { if (panel && !wrap.contains(event.target)) { close(false); } }
    function pick(date) {
      input.value = format(date);
      input.dispatchEvent(new Event("input", { bubbles: true }));
      input.dispatchEvent(new Event("change", { bubbles: true }));
      close(false);
      input.focus();
    }
    function navButton(text, name, months) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "be-nav secondary outline";
      b.textContent = text;
      b.setAttribute("aria-label", name);
      b.addEventListener("click", function () { render(addMonths(focused, months), false); });
      return b;
    }
    function render(date, focusDay) {
      focused = date;
      panel.querySelector(".be-title").textContent = MONTHS[date.getUTCMonth()] + " " + (date.getUTCFullYear() + BE);
      var body = panel.querySelector("tbody");
      body.textContent = "";
      var first = day(date.getUTCFullYear(), date.getUTCMonth(), 1);
      var cursor = addDays(first, -first.getUTCDay());
      var chosen = parse(input.value);
      for (var week = 0; week < 6; week++) {
        var row = document.createElement("tr");
        for (var i = 0; i < 7; i++) {
          var cell = document.createElement("td");
          if (cursor.getUTCMonth() === date.getUTCMonth()) {
            var b = document.createElement("button");
            b.type = "button";
            b.textContent = String(cursor.getUTCDate());
            b.dataset.day = iso(cursor);
            b.setAttribute("aria-label", label(cursor));
            b.tabIndex = cursor.getTime() === date.getTime() ? 0 : -1;
            if (chosen && cursor.getTime() === chosen.getTime()) { b.setAttribute("aria-pressed", "true"); }
            if (cursor.getTime() === today().getTime()) { b.className = "be-today"; }
            if (!allowed(cursor)) { b.disabled = true; }
            cell.appendChild(b);
          }
          row.appendChild(cell);
          cursor = addDays(cursor, 1);
        }
        body.appendChild(row);
        if (cursor.getUTCMonth() !== date.getUTCMonth()) { break; }
      }
      if (focusDay) {
        var target = body.querySelector('[data-day="' + iso(date) + '"]');
        if (target) { target.focus(); }
      }
    }
    function open() {
      if (panel) { close(true); return; }
      panel = document.createElement("div");
      panel.className = "be-picker";
      panel.id = id;
      panel.setAttribute("role", "dialog");
      panel.setAttribute("aria-label", gettext("เลือกวันที่ (ปีพุทธศักราช)"));
      var header = document.createElement("div");
      header.className = "be-head";
      var title = document.createElement("span");
      title.className = "be-title";
      title.setAttribute("aria-live", "polite");
      header.appendChild(navButton("«", gettext("ปีก่อนหน้า"), -12));
      header.appendChild(navButton("‹", gettext("เดือนก่อนหน้า"), -1));
      header.appendChild(title);
      header.appendChild(navButton("›", gettext("เดือนถัดไป"), 1));
      header.appendChild(navButton("»", gettext("ปีถัดไป"), 12));
      panel.appendChild(header);
      var table = document.createElement("table");
      table.setAttribute("role", "grid");
      var head = document.createElement("thead");
      var names = document.createElement("tr");
      DAYS.forEach(function (d, i) {
        var th = document.createElement("th");
        th.scope = "col";
        th.textContent = d;
        th.title = DAY_NAMES[i];
        th.setAttribute("abbr", DAY_NAMES[i]);
        names.appendChild(th);
      });
      head.appendChild(names);
      table.appendChild(head);
      table.appendChild(document.createElement("tbody"));
      panel.appendChild(table);
      var foot = document.createElement("div");
      foot.className = "be-foot";
      var todayButton = document.createElement("button");
      todayButton.type = "button";
      todayButton.className = "secondary outline";
      todayButton.textContent = gettext("วันนี้");
      todayButton.addEventListener("click", function () { if (allowed(today())) { pick(today()); } });
      var closeButton = document.createElement("button");
      closeButton.type = "button";
      closeButton.className = "secondary outline";
      closeButton.textContent = gettext("ปิด");
      closeButton.addEventListener("click", function () { close(true); });
      foot.appendChild(todayButton);
      foot.appendChild(closeButton);
      panel.appendChild(foot);
      table.addEventListener("click", function (event) {
        var b = event.target.closest("button[data-day]");
        if (b && !b.disabled) { pick(parse(b.dataset.day)); }
      });
      panel.addEventListener("keydown", keys);
      wrap.appendChild(panel);
      button.setAttribute("aria-expanded", "true");
      document.addEventListener("mousedown", outside, true);
      var start = parse(input.value) || today();
      if (min && start < min) { start = min; }
      if (max && start > max) { start = max; }
      render(start, true);
    }
    function keys(event) {
      if (event.key === "Escape") { event.preventDefault(); close(true); return; }
      if (!event.target.dataset.day) { return; }
      var moves = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };
      var next = null;
      if (moves[event.key]) { next = addDays(focused, moves[event.key]); }
      else if (event.key === "PageUp") { next = addMonths(focused, event.shiftKey ? -12 : -1); }
      else if (event.key === "PageDown") { next = addMonths(focused, event.shiftKey ? 12 : 1); }
      else if (event.key === "Home") { next = addDays(focused, -focused.getUTCDay()); }
      else if (event.key === "End") { next = addDays(focused, 6 - focused.getUTCDay()); }
      if (next) { event.preventDefault(); render(next, true); }
    }
    button.addEventListener("click", open);
  }

  window.SurveyBEDate = { parse: parse, format: format };
  document.querySelectorAll("input[data-be-date]").forEach(enhance);
})();
