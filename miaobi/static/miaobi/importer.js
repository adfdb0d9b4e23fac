// Desk import: drag and drop, one request per file with its own progress row. The form works without it.
(function () {
  "use strict";
  var LABELS = { imported: "已导入", near_duplicate: "疑似重复", duplicate: "重复，已跳过", skipped: "跳过", error: "失败" };
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("import-form");
    var zone = document.getElementById("dropzone");
    var table = document.getElementById("import-results");
    if (!form || !zone || !table || !window.fetch || !window.FormData) { return; }
    var input = form.querySelector("input[type=file]");
    var body = table.querySelector("tbody");
    zone.hidden = false;

    function cell(row, text) { var td = document.createElement("td"); td.textContent = text; row.appendChild(td); return td; }

    function describe(r) {
      var parts = [];
      if (r.reason) { parts.push(r.reason); }
      if (r.article) { parts.push("#" + r.article + " " + (r.title || "")); }
      if (r.similar_to) { parts.push("疑似重复 #" + r.similar_to + "（相似度 " + Math.round(r.similarity * 100) + "%）"); }
      if (r.moderation && r.moderation.length) { parts.push("敏感词 " + r.moderation.length + " 处"); }
      if (r.lint && r.lint.length) { parts.push("文字检查 " + r.lint.length + " 处"); }
      return parts.join(" · ");
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
      return fetch(form.action || window.location.href, {
        method: "POST", body: data, credentials: "same-origin", headers: { "Accept": "application/json" }
      }).then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      }).then(function (payload) {
        var results = payload.results || [];
        state.textContent = results.length === 1 ? LABELS[results[0].status] : "完成 " + results.length + " 个文件";
        row.className = results.length === 1 ? "status-" + results[0].status : "";
        note.textContent = results.map(function (r) { return (results.length > 1 ? r.path + "：" : "") + (LABELS[r.status] || "") + " " + describe(r); }).join("\n");
      }).catch(function (error) {
        state.textContent = "失败";
        row.className = "status-error";
        note.textContent = "上传失败（" + error.message + "），文件未导入，请重试。";
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
