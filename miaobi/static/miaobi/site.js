// Enhancements only: every page works without JavaScript.
(function () {
  "use strict";
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Older mobile browsers and plain-HTTP pages: copy through a temporary selection.
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.top = "-1000px";
      document.body.appendChild(area);
      area.select();
      area.setSelectionRange(0, text.length);
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(area);
      if (ok) { resolve(); } else { reject(new Error("copy failed")); }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("button.copy[data-copy-target]").forEach(function (button) {
      var target = document.getElementById(button.getAttribute("data-copy-target"));
      var status = button.closest(".contact") && button.closest(".contact").querySelector(".copy-status");
      if (!target) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        var text = target.textContent.trim();
        copyText(text).then(function () {
          if (status) { status.textContent = "已复制微信号 " + text + "，请打开微信添加老师"; }
          button.textContent = "已复制";
        }, function () {
          if (status) { status.textContent = "复制失败，请长按微信号手动复制"; }
        });
      });
    });
  });
})();
