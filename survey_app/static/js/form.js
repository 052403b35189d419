// Answer pages: exclusive "none" choices, "none" checkboxes that empty their field, show_if toggling,
// the typed-"ไม่มี" warning and its button, cross-item check warnings, errors that clear once fixed,
// landing on a linked question (#q-key), and a warning before leaving with unsaved changes.
// The server checks all of this again.
(function () {
  "use strict";
  var form = document.getElementById("answer-form");
  if (!form) { return; }

  function values(name) {
    var out = [];
    form.querySelectorAll('[name="' + name + '"]').forEach(function (el) {
      if ((el.type === "radio" || el.type === "checkbox")) { if (el.checked) { out.push(el.value); } }
      else if (el.value !== "") { out.push(el.value); }
    });
    return out;
  }

  // Numbers are read exactly as the server reads them (forms_engine/parsing.py parse_number, after
  // core/text.py clean_line): Thai and full-width digits, "," spaces and "_" dropped, then a Decimal.
  var THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙";
  var WIDE_DIGITS = "０１２３４５６７８９";
  var DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;
  function arabicDigits(text) {
    return String(text).replace(/[๐-๙０-９]/g, function (c) {
      var i = THAI_DIGITS.indexOf(c);
      return String(i >= 0 ? i : WIDE_DIGITS.indexOf(c));
    });
  }
  function parseNumber(text, integer) {
    var cleaned = arabicDigits(text).replace(/[,\s\u00a0_]/g, "");
    if (!DECIMAL.test(cleaned)) { return null; }
    var n = Number(cleaned);
    if (!isFinite(n) || Math.abs(n) > 1e15) { return null; }
    if (integer && n !== Math.trunc(n)) { return null; }
    return n;
  }
  // A number field's value as the server would store it, or null when the server would refuse it.
  function fieldNumber(el) {
    var n = parseNumber(el.value, el.dataset.number === "integer");
    if (n === null) { return null; }
    if (el.dataset.min !== undefined && n < Number(el.dataset.min)) { return null; }
    if (el.dataset.max !== undefined && n > Number(el.dataset.max)) { return null; }
    return n;
  }
  window.SurveyForm = { parseNumber: parseNumber };

  // Exclusive options: choosing "ไม่มี" (or N/A) clears the others; choosing another clears it.
  form.addEventListener("change", function (event) {
    var el = event.target;
    if (el.type === "checkbox" && el.name && !el.dataset.noneFor) {
      var group = form.querySelectorAll('input[type=checkbox][name="' + el.name + '"]');
      group.forEach(function (other) {
        if (other === el || !el.checked) { return; }
        if (el.dataset.exclusive || other.dataset.exclusive) { other.checked = false; }
      });
    }
    if (el.dataset.noneFor) {
      syncNone(el);
      if (el.checked) { showWarning(el.dataset.noneFor, []); }
    }
    refreshConditions();
  });

  // A "ไม่มี" checkbox beside a text/number field disables the field (disabled fields are not sent).
  function syncNone(box) {
    var target = document.getElementById(box.dataset.noneFor);
    if (!target) { return; }
    if (box.checked) {
      target.dataset.kept = target.value;
      target.value = "";
      target.disabled = true;
      form.querySelectorAll('[data-none-for="' + box.dataset.noneFor + '"]').forEach(function (other) {
        if (other !== box) { other.checked = false; }
      });
    } else {
      target.disabled = false;
      if (!target.value && target.dataset.kept) { target.value = target.dataset.kept; }
    }
  }
  form.querySelectorAll("[data-none-for]").forEach(function (box) { if (box.checked) { syncNone(box); } });

  // Typed "ไม่มี": the server saves the text as typed but warns beside the field (builder.typed_none_warnings),
  // on the page and in the autosave reply; the button ticks the switch instead, which reports count as "none".
  var APPLY_NONE = gettext("ติ๊ก \"ไม่มี\" และลบข้อความ");  // as in _questions.html
  function noneSwitch(key) { return form.querySelector('input[name="' + key + '__none"]'); }
  function describe(field, id, on) {
    if (!field) { return; }
    var ids = (field.getAttribute("aria-describedby") || "").split(" ").filter(function (x) { return x && x !== id; });
    if (on) { ids.push(id); }
    if (ids.length) { field.setAttribute("aria-describedby", ids.join(" ")); }
    else { field.removeAttribute("aria-describedby"); }
  }
  // The element a question's messages describe: its input, or the fieldset of a choice question.
  function described(key) {
    var question = document.getElementById("q-" + key);
    if (!question) { return null; }
    return document.getElementById(key) || question.querySelector("fieldset");
  }
  function showWarning(key, messages) {
    var box = form.querySelector('[data-typed-none-for="' + key + '"]');
    var toggle = noneSwitch(key);
    if (!messages.length || (toggle && toggle.checked)) {
      if (box) { box.remove(); }
      describe(document.getElementById(key), "warn-" + key, false);
      return;
    }
    var question = document.getElementById("q-" + key);
    if (!box && question) {
      box = document.createElement("div");
      box.className = "typed-none";
      box.id = "warn-" + key;
      box.setAttribute("role", "status");
      box.dataset.typedNoneFor = key;
      box.appendChild(document.createElement("small"));
      if (toggle) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "secondary outline small";
        button.dataset.applyNone = key;
        button.textContent = APPLY_NONE;
        box.appendChild(button);
      }
      var error = question.querySelector(".field-error");
      question.insertBefore(box, error && error.parentNode === question ? error : null);
    }
    if (!box) { return; }
    box.querySelector("small").textContent = messages.join(" ");
    describe(document.getElementById(key), "warn-" + key, true);
  }
  function showWarnings(warnings) {
    form.querySelectorAll("[data-typed-none-for]").forEach(function (box) {
      if (!warnings[box.dataset.typedNoneFor]) { showWarning(box.dataset.typedNoneFor, []); }
    });
    Object.keys(warnings).forEach(function (key) { showWarning(key, warnings[key]); });
  }
  form.addEventListener("click", function (event) {
    var button = event.target.closest("[data-apply-none]");
    if (!button) { return; }
    var key = button.dataset.applyNone;
    var toggle = noneSwitch(key);
    if (!toggle) { return; }
    toggle.checked = true;
    syncNone(toggle);
    var field = document.getElementById(key);
    if (field) { field.dataset.kept = ""; } // unticking again should not bring the typed "ไม่มี" back
    showWarning(key, []);
    dirty = true;
    refreshConditions();
    toggle.focus();
  });

  // Cross-item checks (e.g. 4.1.3 ≤ 4.1.2): saved anyway, warned beside both fields (builder.check_warnings),
  // on the page and after each autosave.
  function showCheck(key, messages) {
    var question = document.getElementById("q-" + key);
    var box = document.getElementById("check-" + key);
    if (!question) { return; }
    question.classList.toggle("has-check", messages.length > 0);
    if (!messages.length) {
      if (box) { box.remove(); }
      describe(described(key), "check-" + key, false);
      return;
    }
    if (!box) {
      box = document.createElement("div");
      box.className = "cross-check";
      box.id = "check-" + key;
      box.setAttribute("role", "status");
      box.dataset.checkFor = key;
      box.appendChild(document.createElement("small"));
      var error = question.querySelector(".field-error");
      question.insertBefore(box, error && error.parentNode === question ? error : null);
    }
    box.querySelector("small").textContent = messages.join(" ");
    describe(described(key), "check-" + key, true);
  }
  function showChecks(checks) {
    form.querySelectorAll("[data-check-for]").forEach(function (box) {
      if (!checks[box.dataset.checkFor]) { showCheck(box.dataset.checkFor, []); }
    });
    Object.keys(checks).forEach(function (key) { showCheck(key, checks[key]); });
  }

  // Field errors: cleared as soon as the field holds something the server would take (numbers and dates are
  // read here as the server reads them; anything else clears on the first change), and after an autosave
  // that no longer reports them. The summary above the form follows.
  var summary = document.querySelector("[data-testid=save-summary]");
  function clearError(key) {
    var question = document.getElementById("q-" + key);
    if (!question || !question.classList.contains("has-error")) { return; }
    question.classList.remove("has-error");
    var error = document.getElementById("err-" + key);
    if (error) { error.remove(); }
    var field = described(key);
    if (field) { describe(field, "err-" + key, false); field.removeAttribute("aria-invalid"); }
    var link = summary && summary.querySelector('[data-error-link="' + key + '"]');
    if (link) { link.remove(); }
    updateSummary();
  }
  function showError(key, messages) {
    var question = document.getElementById("q-" + key);
    if (!question) { return; }
    var error = document.getElementById("err-" + key);
    if (!error) {
      error = document.createElement("small");
      error.className = "field-error";
      error.id = "err-" + key;
      error.setAttribute("role", "alert");
      (question.querySelector("fieldset") || question).appendChild(error);
    }
    error.textContent = messages.join(" ");
    question.classList.add("has-error");
    var field = described(key);
    if (field) { describe(field, "err-" + key, true); field.setAttribute("aria-invalid", "true"); }
  }
  // A file over its question's limit is refused here, beside the field, before anything is sent: a body
  // over the server's limit could not be read at all, and the answers typed with it would be lost.
  form.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[type=file][data-max-bytes]")) { return; }
    var limit = Number(input.dataset.maxBytes);
    var big = Array.prototype.filter.call(input.files || [], function (f) { return f.size > limit; });
    if (!big.length) { delete input.dataset.tooBig; clearError(input.name); return; }
    input.dataset.tooBig = "1";  // fixed() below keeps the message until a smaller file is chosen
    input.value = "";
    showError(input.name, [gettext("ไฟล์ใหญ่เกินกำหนด (ไม่เกิน {size}) กรุณาเลือกไฟล์ที่เล็กลง").replace("{size}", input.dataset.maxLabel)
      + ": " + big.map(function (f) { return f.name; }).join(", ")]);
  });
  function showErrors(errors) {
    form.querySelectorAll(".q.has-error").forEach(function (question) {
      var key = question.id.slice(2);
      if (!errors[key]) { clearError(key); }
    });
    Object.keys(errors).forEach(function (key) { if (key !== "_form") { showError(key, errors[key]); } });
  }
  function updateSummary() {
    if (!summary) { return; }
    var left = summary.querySelectorAll("[data-error-link]").length;
    var count = summary.querySelector("[data-testid=unsaved-count]");
    if (count) { count.textContent = String(left); }
    if (!left) {
      summary.className = "flash flash-success save-summary";
      summary.textContent = gettext("แก้ไขครบแล้ว กด \"บันทึกร่าง\" เพื่อบันทึกข้อที่แก้");
    }
  }
  function fixed(el) {
    if (el.type === "file") { return el.dataset.tooBig === undefined; }
    if (el.dataset.number !== undefined) { return el.value === "" || fieldNumber(el) !== null; }
    if (el.dataset.beDate !== undefined && window.SurveyBEDate) {
      return el.value === "" || window.SurveyBEDate.parse(el.value) !== null;
    }
    return true;
  }
  function onEdit(event) {
    var question = event.target.closest && event.target.closest(".q");
    if (question && question.classList.contains("has-error") && fixed(event.target)) {
      clearError(question.id.slice(2));
    }
  }
  form.addEventListener("input", onEdit);
  form.addEventListener("change", onEdit);

  // show_if: the same rules as the server (survey_app/forms_engine/answers.py).
  function holds(cond) {
    if (cond.all) { return cond.all.every(holds); }
    if (cond.any) { return cond.any.some(holds); }
    var key = cond.question;
    var present = form.querySelector('[name="' + key + '"]');
    if (!present) { return null; } // on another page: the server decides
    var vals = values(key);
    var isNone = vals.indexOf("__none__") >= 0 || values(key + "__none").length > 0;
    if (cond.is_none !== undefined) { return vals.length || isNone ? isNone === cond.is_none : false; }
    if (!vals.length || isNone || vals.indexOf("__na__") >= 0) { return false; }
    var v = vals[0];
    if (cond.equals !== undefined) { return String(v) === String(cond.equals); }
    if (cond.not_equals !== undefined) { return String(v) !== String(cond.not_equals); }
    if (cond["in"]) { return cond["in"].indexOf(v) >= 0; }
    if (cond.includes !== undefined) { return vals.indexOf(cond.includes) >= 0; }
    var n = present.dataset.number !== undefined ? fieldNumber(present) : parseNumber(v, false);
    if (n === null) { return false; }
    if (cond.gt !== undefined) { return n > cond.gt; }
    if (cond.ge !== undefined) { return n >= cond.ge; }
    if (cond.lt !== undefined) { return n < cond.lt; }
    if (cond.le !== undefined) { return n <= cond.le; }
    return false;
  }
  function refreshConditions() {
    refreshCalculations();
    form.querySelectorAll("[data-show-if]").forEach(function (box) {
      var result = holds(JSON.parse(box.dataset.showIf));
      if (result !== null) { box.hidden = !result; }
    });
    if (!window.SurveyExpr) { return; }
    form.querySelectorAll("[data-show-if-expr]").forEach(function (box) {
      box.hidden = !window.SurveyExpr.truthy(evaluate(JSON.parse(box.dataset.showIfExpr), keyOf(box)));
    });
  }
  form.addEventListener("input", function () { dirty = true; refreshConditions(); refreshRules(); });
  form.addEventListener("change", function () { refreshRules(); });

  // Expressions (calculations, string show_if, constraints, form rules): the AST the server parsed,
  // evaluated by static/js/expressions.js over the fields on this page and, for the rest, the stored
  // answers the page carries (#page-expressions). The server recomputes and re-checks everything on save.
  var pageData = document.getElementById("page-expressions");
  var stored = pageData ? JSON.parse(pageData.textContent) : { answers: {}, rules: [] };
  var live = {};  // calculations already computed on this refresh, by key
  var ROW_KEY = /^([a-z][a-z0-9_]*)-(r[a-z0-9]{6})-([a-z][a-z0-9_]*)$/;
  function keyOf(box) { return box.id && box.id.indexOf("q-") === 0 ? box.id.slice(2) : ""; }
  function onPage(key) { return form.querySelector('[name="' + key + '"], [name="' + key + '__none"], [name="' + key + '__na"]'); }
  function fieldState(key) {
    if (Object.prototype.hasOwnProperty.call(live, key)) { return live[key] === null ? null : "value"; }
    if (!onPage(key)) { var a = stored.answers[key]; return a ? a[0] : null; }
    var vals = values(key);
    if (vals.indexOf("__none__") >= 0 || values(key + "__none").length) { return "none"; }
    if (vals.indexOf("__na__") >= 0 || values(key + "__na").length) { return "na"; }
    return vals.length ? "value" : null;
  }
  function fieldValue(key) {
    if (Object.prototype.hasOwnProperty.call(live, key)) { return live[key]; }
    if (!onPage(key)) { return window.SurveyExpr.storedScope(stored.answers).value(key); }
    if (fieldState(key) !== "value") { return null; }
    var el = form.querySelector('[name="' + key + '"]');
    var vals = values(key);
    if (!el) { return null; }
    if (el.dataset.number !== undefined) { return fieldNumber(el); }
    if (el.dataset.beDate !== undefined && window.SurveyBEDate) {
      var d = window.SurveyBEDate.parse(el.value);
      return d ? d.toISOString().slice(0, 10) : null;
    }
    if (el.type === "checkbox" || el.multiple) { return vals; }
    var box = document.getElementById("q-" + key);
    if (box && box.classList.contains("q-rating")) { return Number(vals[0]); }  // a point on the scale is a number
    return vals[0];
  }
  function rowIds(group) {
    var ids = [];
    form.querySelectorAll("[name^='" + group + "-']").forEach(function (el) {
      var m = ROW_KEY.exec(el.name.replace(/__(none|na)$/, ""));
      if (m && m[1] === group && ids.indexOf(m[2]) < 0) { ids.push(m[2]); }
    });
    if (ids.length || form.querySelector('[data-rows-for="' + group + '"]')) { return ids; }
    var a = stored.answers[group];
    return a && a[0] === "value" && Array.isArray(a[1]) ? a[1] : null;
  }
  function scope(row, self) {
    function key(name) {
      if (name === ".") { return self; }
      if (row) {
        var k = row[0] + "-" + row[1] + "-" + name;
        if (onPage(k) || Object.prototype.hasOwnProperty.call(stored.answers, k) || live[k] !== undefined) { return k; }
      }
      return name;
    }
    return {
      value: function (name) { var v = fieldValue(key(name)); return v === undefined ? null : v; },
      state: function (name) { return fieldState(key(name)); },
      rows: function (group) {
        var ids = rowIds(group);
        return ids === null ? null : ids.map(function (id) { return scope([group, id], self); });
      }
    };
  }
  function evaluate(ast, key) {
    var m = ROW_KEY.exec(key || "");
    return window.SurveyExpr.evaluate(ast, scope(m ? [m[1], m[2]] : null, key));
  }
  function refreshCalculations() {
    if (!window.SurveyExpr) { return; }
    live = {};
    form.querySelectorAll("output[data-calc]").forEach(function (out) {
      var decimals = Number(out.dataset.decimals || 0);
      var value = window.SurveyExpr.roundHalfUp(evaluate(JSON.parse(out.dataset.calc), out.id), decimals);
      if (value !== null && Math.abs(value) >= 1e15) { value = null; }
      live[out.id] = value;
      out.value = value === null ? "-" : value.toLocaleString("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
    });
  }
  // Constraints and form rules: live warnings beside the fields (the saved warnings come from the server;
  // a warning the answers on screen no longer earn is taken off them).
  function expressionMessages() {
    var messages = {};  // key -> live messages
    var known = {};  // key -> every message an expression may put there
    function add(map, key, text) { (map[key] = map[key] || []).push(text); }
    form.querySelectorAll("[data-constraint]").forEach(function (box) {
      var key = keyOf(box);
      add(known, key, box.dataset.constraintMessage);
      if (box.hidden || fieldState(key) !== "value") { return; }
      if (!window.SurveyExpr.truthy(evaluate(JSON.parse(box.dataset.constraint), key))) { add(messages, key, box.dataset.constraintMessage); }
    });
    stored.rules.forEach(function (rule) {
      rule.fields.forEach(function (key) { add(known, key, rule.message); });
      var inputs = window.SurveyExpr.references(rule.ast);
      if (!inputs.some(function (k) { return fieldState(k) !== null; })) { return; }
      if (window.SurveyExpr.truthy(window.SurveyExpr.evaluate(rule.ast, scope(null, "")))) { return; }
      rule.fields.forEach(function (key) { add(messages, key, rule.message); });
    });
    return { messages: messages, known: known };
  }
  function refreshRules() {
    if (!window.SurveyExpr || !rulesReady) { return; }
    var found = expressionMessages();
    Object.keys(found.known).forEach(function (key) {
      var box = document.getElementById("check-" + key);
      if (box) {  // saved warnings that an expression gave: dropped; the live ones below replace them
        var lines = box.querySelector("small").innerHTML.split(/<br\s*\/?>/).map(function (html) {
          var tmp = document.createElement("span"); tmp.innerHTML = html; return tmp.textContent.trim();
        }).filter(function (line) {
          return line && !found.known[key].some(function (m) { return line.indexOf(m) >= 0; });
        });
        showCheck(key, lines);
      }
      showLive(key, found.messages[key] || []);
    });
  }
  function showLive(key, messages) {
    var question = document.getElementById("q-" + key);
    var box = document.getElementById("live-" + key);
    if (!question) { return; }
    if (!messages.length) { if (box) { box.remove(); } describe(described(key), "live-" + key, false); return; }
    if (!box) {
      box = document.createElement("div");
      box.className = "cross-check";
      box.id = "live-" + key;
      box.setAttribute("role", "status");
      box.dataset.liveFor = key;
      box.appendChild(document.createElement("small"));
      var error = question.querySelector(".field-error");
      question.insertBefore(box, error && error.parentNode === question ? error : null);
    }
    box.querySelector("small").textContent = messages.join(" ");
    describe(described(key), "live-" + key, true);
  }
  // A question inside a section or indicator with a condition is hidden by its container: the server renders
  // it hidden while the container's condition is false, so it is shown here and the container decides.
  form.querySelectorAll(".indicator[data-show-if] .q, .indicator[data-show-if-expr] .q").forEach(function (q) {
    if (!q.dataset.showIf && !q.dataset.showIfExpr) { q.hidden = false; }
  });
  var rulesReady = false;  // the saved warnings stand until the user changes something
  function startExpressions() {
    refreshConditions();
    rulesReady = true;
  }
  if (form.querySelector("output[data-calc], [data-show-if-expr], [data-constraint]") || stored.rules.length) {
    if (window.SurveyExpr) { startExpressions(); }
    else {
      var exprScript = document.createElement("script");
      exprScript.src = (document.currentScript ? document.currentScript.src : "/static/js/form.js").replace(/form\.js(\?.*)?$/, "expressions.js");
      exprScript.onload = startExpressions;
      document.head.appendChild(exprScript);
    }
  }

  // Landing on a linked question (#q-key, from the submit page or the error summary): below the sticky
  // header (its height is measured into --sticky-head, which the CSS scroll-margin uses), marked, focused.
  var head = document.querySelector(".form-head");
  function measureHead() {
    var height = head ? Math.ceil(head.getBoundingClientRect().height) : 0;
    document.documentElement.style.setProperty("--sticky-head", height + "px");
  }
  function landOnTarget() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var question = id.indexOf("q-") === 0 ? document.getElementById(id) : null;
    if (!question || !form.contains(question)) { return; }
    form.querySelectorAll(".q.is-target").forEach(function (q) { q.classList.remove("is-target"); });
    question.classList.add("is-target");
    measureHead();
    question.scrollIntoView({ block: "start" });
    var input = question.querySelector("input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled])");
    if (input) { input.focus({ preventScroll: true }); }
  }
  measureHead();
  window.addEventListener("resize", measureHead);
  window.addEventListener("hashchange", landOnTarget);
  form.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest('a[href^="#q-"]');
    if (link && link.getAttribute("href") === window.location.hash) { landOnTarget(); }
  });
  document.addEventListener("click", function (event) { // summary links above the form: same hash again
    var link = event.target.closest && event.target.closest('a[href^="#q-"]');
    if (link && !form.contains(link) && link.getAttribute("href") === window.location.hash) { landOnTarget(); }
  });
  landOnTarget();
  // Arriving with #q-key, the browser itself then runs the fragment's focusing steps (the question box is
  // not focusable, so focus falls back to the page): land again once it has.
  window.addEventListener("load", function () { window.setTimeout(landOnTarget, 0); });

  // The section strip scrolls sideways on a phone: keep the current section in view.
  var strip = document.querySelector(".section-tabs");
  var current = strip && strip.querySelector(".current");
  if (current && strip.scrollWidth > strip.clientWidth) {
    strip.scrollLeft = current.offsetLeft - strip.offsetLeft - (strip.clientWidth - current.offsetWidth) / 2;
  }

  // Buddhist-Era date fields get their calendar from be-datepicker.js, loaded only where there is one.
  var dateField = form.querySelector("[data-be-date][data-picker-src]");
  if (dateField) {
    var script = document.createElement("script");
    script.src = dateField.dataset.pickerSrc;
    document.head.appendChild(script);
  }

  // Warn before leaving a page with unsaved answers (navigation inside the form saves them).
  var dirty = false;
  form.addEventListener("change", function () { dirty = true; });
  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });

  // Autosave: every minute, if something changed, post the section (without files) in the background.
  // It also keeps the session alive, so a form left open for hours does not expire.
  var url = form.dataset.autosaveUrl;
  var status = form.querySelector("[data-testid=save-status]");
  var version = form.querySelector("input[name=row_version]");
  function say(text) { if (status) { status.textContent = text; } }
  // Said once, above the form, when a save can no longer be made here (submitted from another tab...).
  function banner(text, link, linkText) {
    var box = document.querySelector("[data-testid=locked]");
    if (!box) {
      box = document.createElement("div");
      box.className = "flash flash-error locked-save";
      box.setAttribute("role", "alert");
      box.dataset.testid = "locked";
      form.parentNode.insertBefore(box, form);
    }
    box.textContent = text + " ";
    if (link) {
      var a = document.createElement("a");
      a.href = link;
      a.textContent = linkText;
      box.appendChild(a);
    }
  }
  function replied(res) {
    var body = res.body;
    if (body.saved) {
      if (version) { version.value = body.version; }
      showWarnings(body.warnings || {});
      showChecks(body.checks || {});
      showErrors(body.errors || {});
      var bad = Object.keys(body.errors || {}).length;
      say(gettext("บันทึกอัตโนมัติแล้ว") + " " + (body.saved_at || "") +
          (bad ? " (" + gettext("ยกเว้นข้อที่ต้องแก้ไข ดูข้อความสีแดง:") + " " + bad + ")" : ""));
    } else if (body.locked) {
      url = null;  // nothing more can be saved from this page; what was typed stays on screen
      dirty = true;
      say(body.message);
      banner(body.message + " " + gettext("คำตอบที่พิมพ์ไว้ยังอยู่บนหน้าจอนี้ (คัดลอกเก็บไว้ได้)"), body.view_url, gettext("ดูคำตอบที่ส่งแล้ว"));
    } else if (body.conflict && body.stale) {
      dirty = true;
      say(gettext("หน้านี้ไม่เป็นปัจจุบัน คำตอบยังไม่ได้บันทึก กด \"บันทึกร่าง\" เพื่อโหลดข้อมูลล่าสุดโดยคงคำตอบที่พิมพ์ไว้"));
    } else if (body.conflict) {
      say(gettext("มีผู้อื่นบันทึกแบบสอบถามนี้ กด \"บันทึกร่าง\" เพื่อดูรายละเอียด"));
    } else {
      dirty = true;
      say(gettext("ยังไม่ได้บันทึกอัตโนมัติ:") + " " + (body.message || gettext("กด \"บันทึกร่าง\" เพื่อบันทึก")));
    }
  }
  function autosave() {
    if (!dirty || !url) { return; }
    var data = new FormData(form);
    form.querySelectorAll("input[type=file]").forEach(function (f) { data.delete(f.name); });
    data.delete("go"); data.delete("action");
    dirty = false;
    fetch(url, { method: "POST", body: data, credentials: "same-origin", headers: { "X-Autosave": "1" } })
      .then(function (r) {
        return r.json().then(
          function (body) { return { status: r.status, body: body }; },
          function () { return { status: r.status, body: { saved: false } }; }  // a page, not a reply
        );
      })
      .then(replied)
      .catch(function () { dirty = true; say(gettext("ยังไม่ได้บันทึก: ตรวจสอบการเชื่อมต่ออินเทอร์เน็ต")); });
  }
  if (url) { window.setInterval(autosave, 60000); }
})();
