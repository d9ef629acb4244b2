// The campaign editor's live preview. Each keystroke updates the character count beside the
// field at once; a moment later the server renders the preview again (GET, nothing is
// saved) and its fitted text replaces the panel: the server's fitting is the truth, this
// file only counts. Without JavaScript the 刷新预览 button does the same by posting the form.
(function () {
  "use strict";
  var WAIT = 250;

  function count(input) {
    var out = document.querySelector('[data-count-for="' + input.id + '"] [data-count]');
    if (out) { out.textContent = String(input.value.trim().length); }
  }

  function query(form) {
    var params = new URLSearchParams();
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrf" || el.name === "intent") { return; }
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) { return; }
      params.append(el.name, el.value);
    });
    return params.toString();
  }

  function show(data) {
    var panel = document.getElementById("preview");
    if (panel) { panel.innerHTML = data.html; }
    var state = document.getElementById("preview-state");
    if (state) { state.textContent = data.ok ? "可以发送" : "请先改正下面标出的问题"; }
    Object.keys(data.limits || {}).forEach(function (name) {
      var cell = document.querySelector('[data-limits="' + name + '"]');
      if (cell) { cell.textContent = data.limits[name]; }
    });
  }

  function start() {
    var form = document.getElementById("campaign-form");
    if (!form) { return; }
    var timer = 0;
    var asked = 0;
    function refresh() {
      var mine = ++asked;
      fetch(form.getAttribute("data-preview-url") + "?" + query(form), {
        credentials: "same-origin",
        headers: { Accept: "application/json" }
      }).then(function (answer) {
        return answer.ok ? answer.json() : null;
      }).then(function (data) {
        if (data && mine === asked) { show(data); }  // an older answer never overwrites a newer
      }).catch(function () { /* the 刷新预览 button still works */ });
    }
    form.addEventListener("input", function (event) {
      if (event.target && event.target.id) { count(event.target); }
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, WAIT);
    });
    form.addEventListener("change", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, WAIT);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
