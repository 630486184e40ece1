// Signing in the browser. The member's Ed25519 key is made by WebCrypto and
// kept in this browser's IndexedDB; the node never sees it. For every
// action the page asks the node for the exact canonical payload
// (POST /api/v1/unsigned), decodes it here and shows it in words, checks
// that the bytes to sign are the domain prefix followed by that payload,
// signs them, assembles the CBOR array [payload, signature] and relays it
// (POST /api/v1/tx). Key backups use the keystore's format (see
// internal/keystore/backup.go): PBKDF2-SHA256 and AES-256-GCM.
(function () {
  "use strict";
  if (!window.crypto || !crypto.subtle || !window.indexedDB) { return; }
  document.documentElement.classList.add("js");

  var PREFIX = "folkmoot/tx/v1\n";
  var PKCS8_PREFIX = "302e020100300506032b657004220420";
  var ITERATIONS = 600000;
  var KINDS = { 1: "vouch", 2: "leave", 3: "rotate", 10: "propose", 11: "withdraw", 12: "comment", 13: "endorse", 14: "ballot", 15: "amend-text",
    20: "delegate", 21: "undelegate", 30: "candidacy", 31: "withdraw-candidacy", 32: "rank", 33: "recall",
    50: "trustee-commit", 51: "trustee-shares", 52: "trustee-complain", 53: "trustee-answer", 54: "secret-ballot", 55: "trustee-decrypt",
    60: "draw", 61: "volunteer", 62: "beacon-commit", 63: "beacon-reveal", 64: "declare", 65: "draw-lottery" };
  var ENVELOPE = { 0: "version", 1: "chain", 2: "author", 3: "nonce", 4: "kind", 5: "body" };
  var BODIES = {
    vouch: { 0: "newcomer key", 1: "newcomer name" },
    propose: { 0: "title", 1: "text", 2: "category", 3: "voting opens", 4: "voting closes", 5: "type", 6: "measure", 7: "law", 8: "sunset", 9: "rules",
      10: "amount", 11: "initiative", 12: "secret ballot", 13: "options", 14: "approve up to", 15: "trustees", 16: "trustee threshold" },
    withdraw: { 0: "proposal" },
    "amend-text": { 0: "proposal", 1: "title", 2: "text" },
    comment: { 0: "proposal", 1: "in reply to comment", 2: "comment" },
    endorse: { 0: "proposal" },
    ballot: { 0: "proposal", 1: "choice" },
    delegate: { 0: "category", 1: "delegate key", 2: "member" },
    undelegate: { 0: "category" },
    candidacy: { 0: "election" },
    "withdraw-candidacy": { 0: "election" },
    rank: { 0: "election", 1: "ranking" },
    recall: { 0: "office", 1: "member" },
    "trustee-commit": { 0: "proposal", 1: "age recipient", 2: "commitments" },
    "trustee-shares": { 0: "proposal", 1: "sealed shares" },
    "trustee-complain": { 0: "proposal", 1: "dealer" },
    "trustee-answer": { 0: "proposal", 1: "complainer", 2: "revealed share" },
    "secret-ballot": { 0: "proposal", 1: "encrypted ballot" },
    "trustee-decrypt": { 0: "proposal", 1: "partial decryption" },
    volunteer: { 0: "draw" },
    "beacon-commit": { 0: "draw", 1: "beacon commitment" },
    "beacon-reveal": { 0: "draw", 1: "beacon secret" },
    declare: { 0: "attributes" }
  };
  var CHOICES = { 1: "yes", 2: "no", 3: "abstain" };
  var MEASURES = ["resolution", "law", "renewal", "repeal", "amendment"];

  function hex(u8) { return Array.from(u8, function (b) { return b.toString(16).padStart(2, "0"); }).join(""); }
  function unhex(s) {
    if (!/^([0-9a-f]{2})*$/i.test(s)) { throw new Error(msg("bad_payload")); }
    return new Uint8Array((s.match(/../g) || []).map(function (h) { return parseInt(h, 16); }));
  }
  function b64(u8) { var s = ""; u8.forEach(function (b) { s += String.fromCharCode(b); }); return btoa(s); }
  function unb64(s) { return Uint8Array.from(atob(s), function (c) { return c.charCodeAt(0); }); }
  function concat(a, b) { var o = new Uint8Array(a.length + b.length); o.set(a); o.set(b, a.length); return o; }
  function $(sel, root) { return (root || document).querySelector(sel); }
  // msg is the page's sentence k (in its language, from #sign-msgs) with
  // each %s replaced by the next argument; fallback is used when the page
  // carries no such sentence.
  function msg(k, fallback) {
    var el = document.querySelector('#sign-msgs [data-k="' + k + '"]');
    var text = el ? el.textContent : (fallback || k), args = Array.prototype.slice.call(arguments, 2);
    return text.replace(/%s/g, function () { return args.length ? String(args.shift()) : ""; });
  }
  function label(name) { return msg("f_" + name.replace(/ /g, "_"), name); }
  function say(el, text, bad) {
    if (!el) { return; }
    el.textContent = text;
    el.classList.toggle("bad", !!bad);
  }

  // --- CBOR: a reader for the canonical payload, a writer for [bstr, bstr].

  function cborDecode(u8) {
    var pos = 0;
    function arg(info) {
      if (info < 24) { return info; }
      var n = { 24: 1, 25: 2, 26: 4, 27: 8 }[info];
      if (!n || pos + n > u8.length) { throw new Error(msg("bad_payload")); }
      var v = 0;
      for (var i = 0; i < n; i++) { v = v * 256 + u8[pos++]; }
      return v;
    }
    function item() {
      if (pos >= u8.length) { throw new Error(msg("bad_payload")); }
      var b = u8[pos++], major = b >> 5, n = arg(b & 31), out, i;
      switch (major) {
        case 0: return n;
        case 1: return -1 - n;
        case 2: case 3:
          if (pos + n > u8.length) { throw new Error(msg("bad_payload")); }
          out = u8.slice(pos, pos + n); pos += n;
          return major === 2 ? out : new TextDecoder("utf-8", { fatal: true }).decode(out);
        case 4: out = []; for (i = 0; i < n; i++) { out.push(item()); } return out;
        case 5: out = new Map(); for (i = 0; i < n; i++) { var k = item(); out.set(k, item()); } return out;
        case 7: if ((b & 31) === 20) { return false; } if ((b & 31) === 21) { return true; }
      }
      throw new Error(msg("bad_payload"));
    }
    var start = pos, v = item();
    return { value: v, end: pos, start: start, raw: u8 };
  }

  function cborBytesHeader(n) {
    if (n < 24) { return [0x40 | n]; }
    if (n < 256) { return [0x58, n]; }
    if (n < 65536) { return [0x59, n >> 8, n & 255]; }
    return [0x5a, (n >>> 24) & 255, (n >> 16) & 255, (n >> 8) & 255, n & 255];
  }

  // assemble is tx.Assemble: the CBOR array [payload, signature].
  function assemble(payload, sig) {
    var head = [0x82].concat(cborBytesHeader(payload.length));
    var out = concat(new Uint8Array(head), payload);
    return concat(concat(out, new Uint8Array(cborBytesHeader(sig.length))), sig);
  }

  // show writes a decoded value: bytes in hex, a list item by item, a
  // map (a sealed share) as its fields.
  function show(v) {
    if (v instanceof Uint8Array) { return hex(v); }
    if (Array.isArray(v)) {
      // Numbers (a ranking, trustees) as "2,3"; texts and bytes, which
      // may hold commas, apart.
      return v.every(function (x) { return typeof x === "number"; }) ? v.join(",") : v.map(show).join("; ");
    }
    if (v instanceof Map) {
      var parts = [];
      v.forEach(function (x, k) { parts.push(k + ": " + show(x)); });
      return "{" + parts.join(", ") + "}";
    }
    return String(v);
  }

  // describe turns a payload into rows of [label, value] in words.
  function describe(payload) {
    var env = cborDecode(payload).value, rows = [], kind = "";
    if (!(env instanceof Map)) { throw new Error(msg("bad_payload")); }
    env.forEach(function (v, k) {
      var name = ENVELOPE[k] ? label(ENVELOPE[k]) : msg("field", "field %s", k);
      if (k === 4) { kind = KINDS[v] || String(v); rows.push([name, msg("k_" + kind.replace(/-/g, "_"), kind)]); return; }
      if (k === 5) { return; }
      rows.push([name, v instanceof Uint8Array ? hex(v) : String(v)]);
    });
    var bodyRaw = env.get(5), body = bodyRaw instanceof Uint8Array ? cborDecode(bodyRaw).value : bodyRaw;
    if (body instanceof Map) {
      var names = BODIES[kind] || {};
      body.forEach(function (v, k) {
        var value = show(v);
        if (kind === "ballot" && k === 1 && CHOICES[v]) { value = msg("c_" + CHOICES[v], CHOICES[v]); }
        if (kind === "propose" && (k === 3 || k === 4)) { value = new Date(v * 1000).toISOString().replace(".000", ""); }
        if (kind === "propose" && k === 4 && v === 0) { value = msg("on_signatures", "not set: an initiative's vote opens when enough members sign it"); }
        if (kind === "propose" && k === 6 && MEASURES[v]) { value = msg("m_" + MEASURES[v], MEASURES[v]); }
        if (kind === "propose" && k === 8) { value = msg("days", "%s days", Math.round(v / 864) / 100); }
        if (kind === "trustee-shares" && k === 1 && Array.isArray(v)) {
          value = v.map(function (sh) { return msg("share_to", "to trustee %s: %s", show(sh.get(0)), show(sh.get(1))); }).join("; ");
        }
        if (kind === "declare" && k === 0 && Array.isArray(v)) {
          value = v.map(function (at) { return show(at.get(0)) + "=" + show(at.get(1)); }).join("; ");
        }
        if (v === true) { value = msg("v_true", "yes"); }
        rows.push([names[k] ? label(names[k]) : msg("field", "field %s", k), value]);
      });
    }
    return { kind: kind, rows: rows, author: env.get(2) instanceof Uint8Array ? hex(env.get(2)) : "" };
  }

  // --- IndexedDB: one record, "me", holding the CryptoKey pair.

  function db() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open("folkmoot", 1);
      req.onupgradeneeded = function () { req.result.createObjectStore("keys"); };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }
  function idb(mode, fn) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var t = d.transaction("keys", mode), req = fn(t.objectStore("keys"));
        t.oncomplete = function () { resolve(req && req.result); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }
  function loadKey() { return idb("readonly", function (s) { return s.get("me"); }); }
  function saveKey(rec) { return idb("readwrite", function (s) { return s.put(rec, "me"); }); }

  function pubHex(publicKey) {
    return crypto.subtle.exportKey("raw", publicKey).then(function (raw) { return hex(new Uint8Array(raw)); });
  }
  function createKey(alias) {
    return crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"]).then(function (pair) {
      return pubHex(pair.publicKey).then(function (pub) {
        var rec = { alias: alias, pub: pub, priv: pair.privateKey };
        return saveKey(rec).then(function () { return rec; });
      });
    });
  }
  function importSeed(alias, seed) {
    var pkcs8 = concat(unhex(PKCS8_PREFIX), seed);
    return crypto.subtle.importKey("pkcs8", pkcs8, { name: "Ed25519" }, true, ["sign"]).then(function (priv) {
      return crypto.subtle.exportKey("jwk", priv).then(function (jwk) {
        var x = jwk.x.replace(/-/g, "+").replace(/_/g, "/");
        return { alias: alias, pub: hex(unb64(x + "=".repeat((4 - x.length % 4) % 4))), priv: priv };
      });
    });
  }

  // --- Backup file (keystore format, version 1).

  function aesKey(passphrase, salt, iterations) {
    return crypto.subtle.importKey("raw", new TextEncoder().encode(passphrase), "PBKDF2", false, ["deriveKey"]).then(function (base) {
      return crypto.subtle.deriveKey({ name: "PBKDF2", hash: "SHA-256", salt: salt, iterations: iterations }, base,
        { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
    });
  }
  function exportBackup(rec, passphrase) {
    var salt = crypto.getRandomValues(new Uint8Array(16)), nonce = crypto.getRandomValues(new Uint8Array(12));
    return crypto.subtle.exportKey("pkcs8", rec.priv).then(function (p8) {
      var seed = new Uint8Array(p8).slice(-32);
      var plain = JSON.stringify({ alias: rec.alias, seed: hex(seed), public_key: rec.pub });
      return aesKey(passphrase, salt, ITERATIONS).then(function (key) {
        return crypto.subtle.encrypt({ name: "AES-GCM", iv: nonce }, key, new TextEncoder().encode(plain));
      });
    }).then(function (ct) {
      return JSON.stringify({ format: "folkmoot-key-backup", version: 1, kdf: "PBKDF2-SHA256", iterations: ITERATIONS,
        salt: b64(salt), cipher: "AES-256-GCM", nonce: b64(nonce), ciphertext: b64(new Uint8Array(ct)) }, null, 2) + "\n";
    });
  }
  function importBackup(text, passphrase) {
    var f;
    try { f = JSON.parse(text); } catch (e) { return Promise.reject(new Error(msg("not_backup"))); }
    if (f.format !== "folkmoot-key-backup" || f.version !== 1 || f.kdf !== "PBKDF2-SHA256" || f.cipher !== "AES-256-GCM") {
      return Promise.reject(new Error(msg("not_backup")));
    }
    if (!(f.iterations >= 600000 && f.iterations <= 10000000)) {
      return Promise.reject(new Error(msg("bad_iterations")));
    }
    return aesKey(passphrase, unb64(f.salt), f.iterations).then(function (key) {
      return crypto.subtle.decrypt({ name: "AES-GCM", iv: unb64(f.nonce) }, key, unb64(f.ciphertext));
    }).catch(function () {
      throw new Error(msg("wrong_pass", "Wrong passphrase, or the file was altered."));
    }).then(function (plain) {
      var p = JSON.parse(new TextDecoder().decode(plain));
      return importSeed(p.alias, unhex(p.seed)).then(function (rec) {
        if (p.public_key && p.public_key !== rec.pub) { throw new Error(msg("backup_mismatch")); }
        if (weakKey(rec.pub)) { throw new Error(msg("weak_key")); }
        return rec;
      });
    });
  }

  // --- The API.

  function api(path, body, type) {
    return fetch("/api/v1/" + path, {
      method: body === undefined ? "GET" : "POST",
      headers: body === undefined ? {} : { "Content-Type": type || "application/json" },
      body: body
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (j) {
        if (!res.ok) { throw new Error(j.message || ("The node answered " + res.status + ".")); }
        return j;
      });
    });
  }

  function waitCommitted(id) {
    var tries = 0;
    return new Promise(function (resolve, reject) {
      (function poll() {
        fetch("/api/v1/txs/" + id).then(function (res) {
          if (res.ok) { return res.json().then(resolve); }
          if (++tries > 60) { reject(new Error(msg("not_in_block"))); return; }
          setTimeout(poll, 250);
        }, reject);
      })();
    });
  }

  // --- Review and sign.

  var dialog = $("#review");

  // review shows what will be signed and resolves true when the member
  // agrees to sign it.
  function review(u, d) {
    return new Promise(function (resolve) {
      var dl = $("#review-fields");
      dl.replaceChildren();
      d.rows.forEach(function (r) {
        var dt = document.createElement("dt"), dd = document.createElement("dd");
        dt.textContent = r[0]; dd.textContent = r[1];
        dl.append(dt, dd);
      });
      $("#review-hex").textContent = u.payload;
      var note = $("#review-note"), noteText = msg("note_" + d.kind.replace(/-/g, "_"), "");
      if (note) { note.textContent = noteText; note.hidden = !noteText; }
      $("#review-server").textContent = u.kind + ", nonce " + u.nonce + ", chain " + u.chain_id;
      function done(ok) {
        $("#review-sign").removeEventListener("click", yes);
        $("#review-cancel").removeEventListener("click", no);
        dialog.close();
        resolve(ok);
      }
      function yes() { done(true); }
      function no() { done(false); }
      $("#review-sign").addEventListener("click", yes);
      $("#review-cancel").addEventListener("click", no);
      dialog.addEventListener("cancel", function () { resolve(false); }, { once: true });
      dialog.showModal();
      $("#review-sign").focus();
    });
  }

  // smallOrder lists the 14 encodings of ed25519 points of small order
  // (tx.SmallOrderKeys, handed over by the layout). Under the node's
  // signature rules (ZIP-215) anyone can forge a signature for them, so
  // the node refuses them as keys (tx.CheckKey), and so does this page,
  // before anything is signed.
  function smallOrder() {
    var el = document.getElementById("sign-msgs");
    return el ? (el.getAttribute("data-small-order") || "").split(" ") : [];
  }

  // weakKey reports a key (64 hex digits) that may never be a member's: a
  // small-order point in any encoding, or another non-canonical encoding
  // (y of p or more).
  function weakKey(h) {
    h = String(h).toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(h)) { return false; }
    if (smallOrder().indexOf(h) >= 0) { return true; }
    var b = unhex(h), i, ones = true;
    b[31] &= 0x7f;
    for (i = 1; i < 31; i++) { ones = ones && b[i] === 0xff; }
    return ones && b[31] === 0x7f && b[0] >= 0xed;
  }

  function action(form, rec) {
    var a = { author: rec.pub, kind: form.getAttribute("data-kind") };
    ["proposal", "election", "member", "draw"].forEach(function (n) {
      var v = form.getAttribute("data-" + n);
      if (v) { a[n] = Number(v); }
    });
    if (form.hasAttribute("data-office")) { a.office = form.getAttribute("data-office"); }
    // A ranked ballot: one select per candidate, named rank_<member>,
    // holding that candidate's preference (1 first) or nothing.
    var prefs = [], hours, opensHours, now = Date.now() / 1000;
    new FormData(form).forEach(function (v, k) {
      if (v === "") { return; }
      if (k.indexOf("rank_") === 0) { prefs.push([Number(v), Number(k.slice(5))]); } else if (k === "reply_to" || k === "proposal") {
        a[k] = Number(v);
      } else if (k === "voting_hours") {
        hours = Number(v);
      } else if (k === "opens_hours") {
        opensHours = Number(v);
      } else if (k === "secret") {
        a.secret = true;
      } else if (k === "options") {
        a.options = String(v).split("\n").map(function (o) { return o.trim(); }).filter(function (o) { return o !== ""; });
      } else if (k === "trustees") {
        a.trustees = String(v).split(/[\s,]+/).filter(function (n) { return n !== ""; }).map(Number);
      } else if (k === "approve" || k === "threshold") {
        a[k] = Number(v);
      } else if (k === "law" || k === "amount") {
        a[k] = Number(v);
      } else if (k === "sunset_days") {
        a.sunset = Math.round(Number(v) * 86400);
      } else if (k === "initiative") {
        a.initiative = true;
      } else { a[k] = String(v); }
    });
    // Voting opens now, or after the hours a secret vote's trustees need
    // to make its key; it lasts the voting hours from its opening.
    if (opensHours !== undefined) { a.opens = Math.floor(now + opensHours * 3600); }
    if (hours !== undefined) { a.closes = Math.floor((a.opens || now) + hours * 3600); }
    if (a.kind === "vouch" && weakKey(a.key)) {
      throw new Error(msg("weak_key", "This key is a point of small order, for which anyone can forge a signature: it can never be a member's."));
    }
    if (a.kind === "propose") {
      // What "folkmoot propose" would leave out: an initiative has no
      // voting times; a resolution needs no measure.
      if (a.initiative) { delete a.closes; }
      if (a.measure === "resolution") { delete a.measure; }
      if (a.rules) {
        try { JSON.parse(a.rules); } catch (e) { throw new Error(msg("bad_rules", "The new rules are not valid JSON: %s", e.message)); }
      }
    }
    if (a.kind === "rank") {
      if (!prefs.length) { throw new Error(msg("no_rank", "Rank at least one candidate.")); }
      prefs.sort(function (x, y) { return x[0] - y[0]; });
      prefs.forEach(function (p, i) {
        if (i > 0 && prefs[i - 1][0] === p[0]) { throw new Error(msg("dup_rank", "Two candidates have preference %s; give each a different number.", p[0])); }
      });
      a.ranking = prefs.map(function (p) { return p[1]; });
    }
    return a;
  }

  function signAndSend(form, rec) {
    var out = $(".sign-status", form);
    return send(function () { return action(form, rec); }, rec, out).then(function () {
      if (form.hasAttribute("data-reload")) { setTimeout(function () { location.reload(); }, 600); }
    }, function () {});
  }

  // send asks the node for the payload of the action make() returns,
  // shows it, signs it if the member agrees, relays it and waits for its
  // block, saying each step in out. It resolves with the transaction's
  // record when the core accepted it, and rejects otherwise (out then
  // says why, and its data-done is "rejected" or "error").
  function send(make, rec, out) {
    var u;
    say(out, msg("preparing"));
    out.removeAttribute("data-done");
    return Promise.resolve().then(function () {
      return api("unsigned", JSON.stringify(make()));
    }).then(function (got) {
      u = got;
      var payload = unhex(u.payload);
      var expect = hex(concat(new TextEncoder().encode(PREFIX), payload));
      if (u.sign_bytes !== expect) { throw new Error(msg("mismatch", "The node asked to sign bytes other than the payload it showed; refused.")); }
      var d = describe(payload);
      if (d.author !== rec.pub) { throw new Error(msg("other_author", "The payload names another author; refused.")); }
      return review(u, d).then(function (ok) {
        if (!ok) { throw new Error(msg("not_signed", "Not signed.")); }
        return crypto.subtle.sign({ name: "Ed25519" }, rec.priv, unhex(u.sign_bytes));
      }).then(function (sig) {
        say(out, msg("sending"));
        return api("tx", assemble(payload, new Uint8Array(sig)), "application/cbor");
      });
    }).then(function (res) {
      say(out, res.message);
      return waitCommitted(res.id).then(function (t) {
        out.replaceChildren();
        var a = document.createElement("a");
        a.href = "/audit/tx/" + res.id;
        a.textContent = msg("receipt", "receipt");
        out.append(msg("recorded", "Recorded in block %s (code %s).", t.height, t.code) + (t.log ? " " + t.log : "") + " ", a);
        out.classList.toggle("bad", t.code !== 0);
        out.setAttribute("data-done", t.code === 0 ? "ok" : "rejected");
        if (t.code !== 0) { throw new Error(t.log || msg("not_signed")); }
        return t;
      });
    }).catch(function (e) {
      if (!out.hasAttribute("data-done")) {
        say(out, e.message, true);
        out.setAttribute("data-done", "error");
      }
      throw e;
    });
  }

  function showWho(rec) {
    document.querySelectorAll("[data-who]").forEach(function (el) {
      if (rec) {
        el.textContent = msg("who", "Signing as %s (%s…).", rec.alias, rec.pub.slice(0, 8));
      } else {
        el.replaceChildren(msg("nokey", "No key in this browser yet:") + " ");
        var a = document.createElement("a"); a.href = "/join"; a.textContent = msg("nokey_link", "join or import a key");
        el.append(a, ".");
      }
    });
    var pk = $("#pubkey");
    if (pk) { pk.textContent = rec ? rec.pub : ""; }
    var qr = $("#pubkey-qr");
    if (qr && rec) { qr.src = "/qr?text=" + rec.pub; }
    document.querySelectorAll("[data-has-key]").forEach(function (el) { el.hidden = !rec; });
  }

  function wireForms(get) {
    document.querySelectorAll("form.sign").forEach(function (form) {
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        var btn = $("button[type=submit]", form);
        get().then(function (rec) {
          if (!rec) { say($(".sign-status", form), msg("need_key"), true); return; }
          btn.disabled = true;
          return signAndSend(form, rec);
        }).finally(function () { btn.disabled = false; });
      });
    });
  }

  // wirePropose shows the new-proposal form's fields that matter for the
  // chosen measure, type and initiative box, and disables the others so
  // they are neither sent nor required.
  function wirePropose() {
    var form = $("#propose-form");
    if (!form) { return; }
    function update() {
      var m = $("input[name=measure]:checked", form), measure = m ? m.value : "resolution";
      var type = $("#propose-type", form).value, init = $("#propose-initiative", form).checked;
      function show(el, on) {
        el.hidden = !on;
        el.querySelectorAll("input, select, textarea").forEach(function (i) { i.disabled = !on; });
      }
      form.querySelectorAll("[data-show-measure]").forEach(function (el) {
        show(el, el.getAttribute("data-show-measure").split(" ").indexOf(measure) >= 0);
      });
      form.querySelectorAll("[data-show-type]").forEach(function (el) { show(el, el.getAttribute("data-show-type") === type); });
      form.querySelectorAll("[data-hide-initiative]").forEach(function (el) { show(el, !init); });
      var secret = $("#propose-secret", form);
      form.querySelectorAll("[data-show-secret]").forEach(function (el) { show(el, !init && !!secret && secret.checked); });
    }
    form.addEventListener("change", update);
    update();
  }

  function wireJoin(get, set) {
    var status = $("#key-status");
    var create = $("#create-key");
    if (create) {
      create.addEventListener("submit", function (ev) {
        ev.preventDefault();
        var alias = $("#alias").value.trim() || "me";
        if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(alias)) { say(status, msg("bad_alias"), true); return; }
        get().then(function (old) {
          if (old && !$("#replace-key").checked) { say(status, msg("replace"), true); return; }
          return createKey(alias).then(function (rec) { set(rec); say(status, msg("created")); });
        }).catch(function (e) { say(status, e.message, true); });
      });
    }
    var exp = $("#export-key");
    if (exp) {
      exp.addEventListener("submit", function (ev) {
        ev.preventDefault();
        var pass = $("#export-pass").value;
        if (!pass) { say(status, msg("need_pass"), true); return; }
        say(status, msg("encrypting"));
        get().then(function (rec) {
          if (!rec) { throw new Error(msg("no_key")); }
          return exportBackup(rec, pass).then(function (text) {
            $("#export-out").value = text;
            var link = $("#export-link");
            link.href = URL.createObjectURL(new Blob([text], { type: "application/json" }));
            link.download = "folkmoot-" + rec.alias + ".key.json";
            link.hidden = false;
            say(status, msg("ready"));
          });
        }).catch(function (e) { say(status, e.message, true); });
      });
    }
    var file = $("#import-file");
    if (file) {
      file.addEventListener("change", function () {
        if (file.files[0]) { file.files[0].text().then(function (t) { $("#import-text").value = t; }); }
      });
    }
    var imp = $("#import-key");
    if (imp) {
      imp.addEventListener("submit", function (ev) {
        ev.preventDefault();
        if (current && !$("#replace-key").checked) { say(status, msg("replace"), true); return; }
        say(status, msg("opening"));
        importBackup($("#import-text").value, $("#import-pass").value).then(function (rec) {
          return saveKey(rec).then(function () { set(rec); say(status, msg("imported", "Key %s imported.", rec.alias)); });
        }).catch(function (e) { say(status, e.message, true); });
      });
    }
  }

  var current;
  function get() { return current ? Promise.resolve(current) : loadKey().then(function (r) { current = r; return r; }); }
  function set(rec) { current = rec; showWho(rec); }

  // folkmootSign is what the page's other scripts (secret.js, draw.js) use: the
  // member's key record ({alias, pub, priv}, priv a WebCrypto key), the
  // same review-sign-send path as the forms, and this browser's store
  // beside the key for what a member keeps and never sends (a trustee's
  // secret, named by chain, proposal and member; never "me", the key).
  window.folkmootSign = {
    key: get,
    send: send,
    say: say,
    msg: msg,
    load: function (name) { return idb("readonly", function (s) { return s.get(name); }); },
    keep: function (name, value) {
      if (name === "me") { return Promise.reject(new Error("the member's key is kept by sign.js alone")); }
      return idb("readwrite", function (s) { return s.put(value, name); });
    }
  };

  document.querySelectorAll(".needs-js").forEach(function (el) { el.hidden = false; });
  get().then(showWho, function () { showWho(null); });
  wireForms(get);
  wirePropose();
  wireJoin(get, set);
})();
