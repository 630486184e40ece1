// draw.js: feeding a draw's randomness beacon from the browser, the same
// steps as "folkmoot draw beacon" (internal/cli/draw.go). While
// commitments are open it draws a random 32-byte secret, keeps it in this
// browser's IndexedDB beside the member's key (folkmootSign.keep, named by
// chain, draw, round and member; never sent before the reveal) and signs
// a commitment to it: SHA-256 of "folkmoot/beacon/v1", the draw (8 bytes),
// the round (4), the member (4) and the secret, as core.BeaconCommitment.
// While reveals are open it signs the kept secret. Both go through
// sign.js's review (folkmootSign.send). Volunteering is a plain signed form.
(function () {
  "use strict";
  var S = window.folkmootSign;
  if (!S) { return; } // no WebCrypto or IndexedDB: sign.js said so

  function $(sel, root) { return (root || document).querySelector(sel); }
  function msg() { return S.msg.apply(null, arguments); }
  function hex(u8) { return Array.from(u8, function (b) { return b.toString(16).padStart(2, "0"); }).join(""); }

  function getJSON(path) {
    return fetch(path).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (j) {
        if (!res.ok) { throw new Error(j.message || ("The node answered " + res.status + ".")); }
        return j;
      });
    });
  }

  // member is the signed-in member ({rec, number}).
  function member() {
    return S.key().then(function (rec) {
      if (!rec) { throw new Error(msg("need_key")); }
      return fetch("/api/v1/members/" + rec.pub).then(function (res) {
        if (!res.ok) { throw new Error(msg("s_not_member")); }
        return res.json().then(function (m) {
          if (m.left) { throw new Error(msg("s_not_member")); }
          return { rec: rec, number: m.number };
        });
      });
    });
  }

  // commitment is core.BeaconCommitment(draw, round, member, secret).
  function commitment(draw, round, number, secret) {
    var tag = new TextEncoder().encode("folkmoot/beacon/v1");
    var buf = new Uint8Array(tag.length + 16 + secret.length), view = new DataView(buf.buffer);
    buf.set(tag);
    view.setUint32(tag.length, Math.floor(draw / 4294967296));
    view.setUint32(tag.length + 4, draw >>> 0);
    view.setUint32(tag.length + 8, round);
    view.setUint32(tag.length + 12, number);
    buf.set(secret, tag.length + 16);
    return crypto.subtle.digest("SHA-256", buf).then(function (h) { return hex(new Uint8Array(h)); });
  }

  function wireBeacon() {
    var form = $("#beacon-form");
    if (!form) { return; }
    var id = Number(form.getAttribute("data-draw"));
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var out = $(".sign-status", form), btn = $("button[type=submit]", form);
      btn.disabled = true;
      var m, d, name;
      member().then(function (got) {
        m = got;
        return Promise.all([getJSON("/api/v1/draws/" + id), getJSON("/api/v1/status")]);
      }).then(function (all) {
        d = all[0];
        name = "beacon/" + all[1].chain_id + "/" + id + "/" + d.round + "/" + m.rec.pub;
        var committed = d.commits && d.commits[m.number], revealed = d.reveals && d.reveals[m.number];
        if (revealed) { S.say(out, msg("d_revealed")); return null; }
        if (form.getAttribute("data-phase") === "commit") {
          if (committed) { S.say(out, msg("d_committed")); return null; }
          var secret = crypto.getRandomValues(new Uint8Array(32));
          return S.keep(name, { secret: hex(secret) }).then(function () {
            return commitment(id, d.round, m.number, secret);
          }).then(function (c) {
            return S.send(function () { return { author: m.rec.pub, kind: "beacon-commit", draw: id, commitment: c }; }, m.rec, out);
          });
        }
        if (!committed) { S.say(out, msg("d_nothing"), true); return null; }
        return S.load(name).then(function (kept) {
          if (!kept || !kept.secret) { throw new Error(msg("d_no_secret")); }
          return S.send(function () { return { author: m.rec.pub, kind: "beacon-reveal", draw: id, reveal: kept.secret }; }, m.rec, out);
        });
      }).then(function (t) {
        if (t) { setTimeout(function () { location.reload(); }, 600); }
      }).catch(function (e) {
        if (!out.hasAttribute("data-done")) { S.say(out, e.message, true); out.setAttribute("data-done", "error"); }
      }).finally(function () { btn.disabled = false; });
    });
  }

  wireBeacon();
})();
