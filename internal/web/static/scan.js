// scan.js: on the vouch page, reads a newcomer's public key from the QR
// code their join page shows, with the camera, where the browser has the
// BarcodeDetector API. It is feature-detected: without the API, a camera
// or QR support, the scan button stays hidden and pasting works as before.
// The sentences come from the page (data-msg-* attributes, from the
// message catalogue). The key only fills the form; the member still
// reviews and signs the vouch.
(function () {
  "use strict";
  var wrap = document.querySelector("[data-scan]");
  if (!wrap || !("BarcodeDetector" in window) || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { return; }
  var KEY = /^[0-9a-fA-F]{64}$/;
  var button = document.getElementById("scan-button");
  var view = document.getElementById("scan-view");
  var video = document.getElementById("scan-video");
  var stop = document.getElementById("scan-stop");
  var status = document.getElementById("scan-status");
  var input = document.getElementById("vouch-key");
  var stream = null, timer = 0;

  function say(k) { status.textContent = wrap.getAttribute("data-msg-" + k) || ""; }
  function end() {
    if (timer) { clearTimeout(timer); timer = 0; }
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    video.srcObject = null;
    view.hidden = true;
    button.disabled = false;
  }

  window.BarcodeDetector.getSupportedFormats().then(function (formats) {
    if (formats.indexOf("qr_code") < 0) { return; }
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    function look() {
      if (!stream) { return; }
      detector.detect(video).then(function (codes) {
        var values = codes.map(function (c) { return String(c.rawValue || "").trim(); });
        var key = values.filter(function (v) { return KEY.test(v); })[0];
        if (key) {
          input.value = key.toLowerCase();
          end();
          say("found");
          document.getElementById("vouch-name").focus();
          return;
        }
        if (values.length) { say("not-key"); }
        timer = setTimeout(look, 250);
      }, function () { timer = setTimeout(look, 250); });
    }
    wrap.hidden = false;
    button.addEventListener("click", function () {
      button.disabled = true;
      say("starting");
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (s) {
        stream = s;
        video.srcObject = s;
        view.hidden = false;
        say("looking");
        return video.play();
      }).then(look).catch(function () { end(); say("denied"); });
    });
    stop.addEventListener("click", function () { end(); say("stopped"); stop.blur(); button.focus(); });
  }, function () {});
})();
