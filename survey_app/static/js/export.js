// Export progress: poll the job until its file is ready, then show one download link named after the file;
// if it failed (or its worker stopped), show why and the "try again" button.
(function () {
  "use strict";
  var box = document.getElementById("export-job");
  if (!box) { return; }
  var gettext = window.gettext || function (text) { return text; };  // js/i18n.js: English on an English page
  var text = box.querySelector("[data-testid=export-progress]");
  var link = box.querySelector("[data-testid=export-download]");
  var retry = box.querySelector("[data-testid=export-retry]");
  function finish() {
    var bar = box.querySelector("progress"); if (bar) { bar.remove(); }
  }
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (job) {
        if (job.status === "done") {
          finish();
          text.textContent = gettext("เสร็จแล้ว");
          link.href = job.url;
          link.setAttribute("download", job.filename || "");
          link.querySelector("[data-testid=export-filename]").textContent = job.filename || "";
          link.hidden = false;
          link.focus();
        } else if (job.status === "failed") {
          finish();
          text.textContent = job.error || gettext("สร้างรายงานไม่สำเร็จ กรุณาลองอีกครั้ง");
          if (retry) { retry.hidden = false; }
        } else if (job.status === "queued") {
          text.textContent = gettext("รอคิว: มีรายงานอื่นกำลังสร้างอยู่ ระบบจะเริ่มสร้างรายงานนี้ให้เอง");
          window.setTimeout(poll, 1500);
        } else {
          text.textContent = gettext("กำลังสร้างรายงาน…") + " " + (job.progress || "");
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  if (link.hidden && (!retry || retry.hidden)) { poll(); }
})();
