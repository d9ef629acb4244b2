// Live figures of a sending campaign: every few seconds, ask the page's JSON endpoint for the
// chart (drawn on the server as SVG, so there is one drawing code) and the figures, and put
// them in place. Without JavaScript the page still shows the figures as they were when it
// was loaded, and reloading it shows newer ones.
(function () {
  "use strict";
  var LIVE = ["scheduled", "running", "paused"];

  function put(box, data) {
    var chart = box.querySelector("[data-chart]");
    if (chart) { chart.innerHTML = data.svg; }
    Object.keys(data.figures || {}).forEach(function (name) {
      var cell = document.querySelector('[data-figure="' + name + '"]');
      if (cell && typeof data.figures[name] === "number") {
        cell.textContent = data.figures[name].toLocaleString("zh-CN");
      }
    });
    var status = document.querySelector("[data-campaign-status]");
    if (status && data.status_name) {
      status.textContent = data.status_name;
      status.className = "tag campaign-" + data.status;
    }
    box.setAttribute("data-status", data.status);
    var stamp = box.querySelector("[data-updated]");
    if (stamp && data.updated_at) { stamp.textContent = data.updated_at; }  // China time
  }

  function poll(box) {
    var every = parseInt(box.getAttribute("data-every") || "2000", 10);
    fetch(box.getAttribute("data-live-url"), {
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (answer) {
      if (!answer.ok) { throw new Error(String(answer.status)); }
      return answer.json();
    }).then(function (data) {
      put(box, data);
      if (LIVE.indexOf(data.status) >= 0) { window.setTimeout(function () { poll(box); }, every); }
    }).catch(function () {
      window.setTimeout(function () { poll(box); }, every * 3);  // the server may be restarting
    });
  }

  function start() {
    var boxes = document.querySelectorAll("[data-live-url]");
    Array.prototype.forEach.call(boxes, function (box) {
      if (LIVE.indexOf(box.getAttribute("data-status")) >= 0) { poll(box); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
