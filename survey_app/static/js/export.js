// Export progress: poll the job until its file is ready, then show the download button.
(function () {
  "use strict";
  var box = document.getElementById("export-job");
  if (!box) { return; }
  var text = box.querySelector("[data-testid=export-progress]");
  var link = box.querySelector("[data-testid=export-download]");
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (job) {
        if (job.status === "done") {
          text.textContent = "เสร็จแล้ว";
          link.hidden = false;
          var bar = box.querySelector("progress"); if (bar) { bar.remove(); }
        } else if (job.status === "failed") {
          text.textContent = "สร้างรายงานไม่สำเร็จ: " + (job.error || "");
        } else {
          text.textContent = "กำลังสร้างรายงาน… " + (job.progress || "");
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  if (link.hidden) { poll(); }
})();
