// Desk import: drag and drop, one request per file with its own progress row; a batch still running in
// the background (a large .zip with a worker) is polled until done. The forms work without it.
(function () {
  "use strict";
  var LABELS = { imported: "已导入", near_duplicate: "疑似重复", duplicate: "重复，已跳过", skipped: "跳过", error: "失败" };
  function describe(r) {
    var parts = [];
    if (r.reason) { parts.push(r.reason); }
    if (r.article) { parts.push("#" + r.article + " " + (r.title || "")); }
    if (r.similar_to) { parts.push("疑似重复 #" + r.similar_to + "（相似度 " + Math.round(r.similarity * 100) + "%）"); }
    if (r.moderation && r.moderation.length) { parts.push("敏感词 " + r.moderation.length + " 处"); }
    if (r.lint && r.lint.length) { parts.push("文字检查 " + r.lint.length + " 处"); }
    return parts.join(" · ");
  }

  function cell(row, text) { var td = document.createElement("td"); td.textContent = text; row.appendChild(td); return td; }

  // The page of one batch (/desk/import/batches/<id>/): add each file's row as the job reports it.
  function watchBatch(table) {
    var since = parseInt(table.getAttribute("data-done"), 10) || 0;
    var body = table.querySelector("tbody");
    var progress = document.getElementById("batch-progress");
    var poll = function () {
      fetch(table.getAttribute("data-status-url") + "?since=" + since, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { if (!response.ok) { throw new Error("HTTP " + response.status); } return response.json(); })
        .then(function (status) {
          status.results.forEach(function (r) {
            var row = document.createElement("tr");
            row.className = "status-" + r.status;
            cell(row, r.path); cell(row, LABELS[r.status] || ""); cell(row, describe(r));
            body.appendChild(row);
          });
          since += status.results.length;
          if (progress) { progress.textContent = status.state_label + "：已处理 " + status.done + " / " + status.total + " 个文件" + (status.error ? "。" + status.error : ""); }
          if (!status.finished) { window.setTimeout(poll, 1500); }
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    };
    window.setTimeout(poll, 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var batch = document.getElementById("batch-results");
    if (batch && window.fetch && !batch.hasAttribute("data-finished")) { watchBatch(batch); }
    var form = document.getElementById("import-form");
    var zone = document.getElementById("dropzone");
    var table = document.getElementById("import-results");
    if (!form || !zone || !table || !window.fetch || !window.FormData) { return; }
    var input = form.querySelector("input[type=file]");
    var body = table.querySelector("tbody");
    zone.hidden = false;

    // Ask for the batch's results from position `since` on until it is finished; calls show(status) each time.
    function follow(status, show, since) {
      show(status);
      if (status.finished) { return Promise.resolve(status); }
      return new Promise(function (resolve) { window.setTimeout(resolve, 1500); }).then(function () {
        return fetch(status.status_url + "?since=" + since, { credentials: "same-origin", headers: { "Accept": "application/json" } });
      }).then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      }).then(function (next) { return follow(next, show, since + next.results.length); });
    }

    function upload(file) {
      var row = document.createElement("tr");
      cell(row, file.name);
      var state = cell(row, "等待上传");
      var note = cell(row, "");
      body.appendChild(row);
      table.hidden = false;
      var data = new FormData(form);
      data.delete("files");
      data.append("files", file, file.name);
      state.textContent = "上传中…";
      var results = [];
      return fetch(form.action || window.location.href, {
        method: "POST", body: data, credentials: "same-origin", headers: { "Accept": "application/json" }
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (payload) {
          if (!response.ok) { throw new Error(payload.error || ("HTTP " + response.status)); }
          return payload;
        });
      }).then(function (payload) {
        return follow(payload, function (status) {
          results = results.concat(status.results || []);
          if (!status.finished) { state.textContent = status.state_label + " " + status.done + "/" + status.total; }
        }, (payload.results || []).length);
      }).then(function (status) {
        if (status.error) { results.push({ path: file.name, status: "error", reason: status.error }); }
        state.textContent = results.length === 1 ? LABELS[results[0].status] : "完成 " + results.length + " 个文件";
        row.className = results.length === 1 ? "status-" + results[0].status : "";
        note.textContent = results.map(function (r) { return (results.length > 1 ? r.path + "：" : "") + (LABELS[r.status] || "") + " " + describe(r); }).join("\n");
      }).catch(function (error) {
        state.textContent = "失败";
        row.className = "status-error";
        note.textContent = (results.length ? "已处理 " + results.length + " 个文件，之后" : "") + "失败（" + error.message + "），请到“最近的导入批次”查看或重试。";
      });
    }

    function send(files) {
      var queue = Array.prototype.slice.call(files);
      var next = function () { if (queue.length) { return upload(queue.shift()).then(next); } };
      next();  // one at a time: the server imports each file in its own transaction
    }

    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (event) { if (event.dataTransfer) { send(event.dataTransfer.files); } });
    form.addEventListener("submit", function (event) {
      if (!input || !input.files.length) { return; }
      event.preventDefault();
      send(input.files);
      input.value = "";
    });
  });
})();
