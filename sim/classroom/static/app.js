// sim classroom: reload when the session changes; count down stage deadlines.
(function () {
  "use strict";
  var body = document.body;
  var url = body.getAttribute("data-poll");
  var version = body.getAttribute("data-version");
  function typing() {
    var active = document.activeElement;
    return active && (active.tagName === "INPUT" || active.tagName === "SELECT") && active.type !== "radio";
  }
  function chosen() {
    return document.querySelector("form.order input[type=radio]:checked") !== null;
  }
  if (url) {
    setInterval(function () {
      fetch(url, { credentials: "same-origin", cache: "no-store" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (data && String(data.version) !== version && !typing() && !chosen()) {
            window.location.reload();
          }
        })
        .catch(function () {});
    }, 2000);
  }
  function tick() {
    var now = Date.now() / 1000;
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var left = Math.max(0, Math.round(parseFloat(el.getAttribute("data-deadline")) - now));
      el.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
    });
  }
  tick();
  setInterval(tick, 1000);
})();
