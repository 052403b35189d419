// Answer pages: exclusive "none" choices, "none" checkboxes that empty their field, show_if toggling,
// the typed-"ไม่มี" warning and its button, and a warning before leaving with unsaved changes.
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
  var APPLY_NONE = "ติ๊ก \"ไม่มี\" และลบข้อความ";  // as in _questions.html
  function noneSwitch(key) { return form.querySelector('input[name="' + key + '__none"]'); }
  function describe(field, id, on) {
    if (!field) { return; }
    var ids = (field.getAttribute("aria-describedby") || "").split(" ").filter(function (x) { return x && x !== id; });
    if (on) { ids.push(id); }
    if (ids.length) { field.setAttribute("aria-describedby", ids.join(" ")); }
    else { field.removeAttribute("aria-describedby"); }
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
    var n = parseFloat(String(v).replace(/,/g, ""));
    if (isNaN(n)) { return false; }
    if (cond.gt !== undefined) { return n > cond.gt; }
    if (cond.ge !== undefined) { return n >= cond.ge; }
    if (cond.lt !== undefined) { return n < cond.lt; }
    if (cond.le !== undefined) { return n <= cond.le; }
    return false;
  }
  function refreshConditions() {
    form.querySelectorAll("[data-show-if]").forEach(function (box) {
      var result = holds(JSON.parse(box.dataset.showIf));
      if (result !== null) { box.hidden = !result; }
    });
  }
  form.addEventListener("input", function () { dirty = true; refreshConditions(); });

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
  function autosave() {
    if (!dirty || !url) { return; }
    var data = new FormData(form);
    form.querySelectorAll("input[type=file]").forEach(function (f) { data.delete(f.name); });
    data.delete("go"); data.delete("action");
    dirty = false;
    fetch(url, { method: "POST", body: data, credentials: "same-origin", headers: { "X-Autosave": "1" } })
      .then(function (r) { return r.json().then(function (body) { return { status: r.status, body: body }; }); })
      .then(function (res) {
        if (res.body.saved) {
          if (version) { version.value = res.body.version; }
          showWarnings(res.body.warnings || {});
          say("บันทึกอัตโนมัติแล้ว " + (res.body.saved_at || ""));
        } else if (res.body.conflict) {
          say("มีผู้อื่นบันทึกแบบสอบถามนี้ กด \"บันทึกร่าง\" เพื่อดูรายละเอียด");
        }
      })
      .catch(function () { dirty = true; say("ยังไม่ได้บันทึก: ตรวจสอบการเชื่อมต่ออินเทอร์เน็ต"); });
  }
  if (url) { window.setInterval(autosave, 60000); }
})();
