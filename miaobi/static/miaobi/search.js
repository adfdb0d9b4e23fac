// Typeahead for the search box: an enhancement only (the form works without JavaScript).
// Asks /search/suggest?q= after a short pause and offers matching titles and popular queries in
// the browser's own <datalist> (keyboard and screen-reader support come with it). Choosing a title
// opens that article; anything else is an ordinary search.
(function () {
  "use strict";
  var DELAY_MS = 200;
  var MIN_CHARS = 1;

  function init(form) {
    var input = form.querySelector("input[name=q]");
    if (!input || !window.fetch) { return; }
    var list = document.createElement("datalist");
    list.id = "search-suggestions";
    form.appendChild(list);
    input.setAttribute("list", list.id);
    var endpoint = new URL("suggest", new URL(form.getAttribute("action") || "/search/", window.location.href));
    var timer = null;
    var lastAsked = "";
    var titles = {};  // title -> article URL, for the titles currently offered

    function show(data) {
      while (list.firstChild) { list.removeChild(list.firstChild); }
      titles = {};
      (data.titles || []).forEach(function (item) {
        var option = document.createElement("option");
        option.value = item.title;
        option.label = "范文";
        titles[item.title] = item.url;
        list.appendChild(option);
      });
      (data.queries || []).forEach(function (query) {
        if (titles[query]) { return; }
        var option = document.createElement("option");
        option.value = query;
        option.label = "热门搜索";
        list.appendChild(option);
      });
    }

    function ask() {
      var text = input.value.trim();
      if (text.length < MIN_CHARS || text === lastAsked) { return; }
      lastAsked = text;
      endpoint.searchParams.set("q", text.slice(0, 100));
      fetch(endpoint.toString(), { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) { if (data && input.value.trim() === text) { show(data); } })
        .catch(function () { /* offline or limited: the plain search still works */ });
    }

    input.addEventListener("input", function (event) {
      // A title picked from the list (not typed key by key): open that article.
      var picked = !event.inputType || event.inputType === "insertReplacementText";
      if (picked && titles[input.value]) {
        window.location.href = titles[input.value];
        return;
      }
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, DELAY_MS);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.search-box").forEach(init);
  });
})();
