// secret.js: secret votes in the browser, on the proposal page and the
// trustee page. It encrypts the member's ballot with ballot.js (the same
// Go code the nodes run, as WebAssembly) and does a trustee's steps, the
// same steps as "folkmoot vote --secret" and "folkmoot trustee keygen |
// decrypt" (internal/cli/secret.go). Every transaction goes through
// sign.js's review, signature and relay (window.folkmootSign.send), so
// that the member sees what they sign: for a ballot, its encrypted bytes.
// A trustee's secret is kept in this browser's IndexedDB beside the
// member's key (folkmootSign.keep), keyed by chain, proposal and member,
// and never sent anywhere.
(function () {
  "use strict";
  var S = window.folkmootSign;
  if (!S) { return; } // no WebCrypto or IndexedDB: sign.js said so

  function $(sel, root) { return (root || document).querySelector(sel); }
  function msg() { return S.msg.apply(null, arguments); }

  function getJSON(path) {
    return fetch(path).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (j) {
        if (!res.ok) { throw new Error(j.message || ("The node answered " + res.status + ".")); }
        return j;
      });
    });
  }
  function detail(id) { return getJSON("/api/v1/proposals/" + id + "/secret"); }

  // member is the signed-in member ({rec, number}), or an error saying
  // there is none.
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

  // call calls a ballot.js function, turning an {error} answer into a
  // rejected promise (with .complaint when the trustee should complain).
  function call(name, req) {
    return window.folkmootBallotReady.then(function (api) {
      var r = api[name](req);
      if (r.error) {
        var e = new Error(r.error);
        e.complaint = !!r.complaint;
        throw e;
      }
      return r;
    });
  }

  // --- The member's own ballot on the proposal page.

  function showMine() {
    var el = $("#my-ballot"), sec = $("#secret");
    if (!el || !sec) { return; }
    var id = sec.getAttribute("data-proposal");
    member().then(function (m) {
      var row = document.querySelector('#cast tr[data-member="' + m.number + '"]');
      if (row) {
        row.classList.add("mine");
        el.textContent = msg("s_mine", "", m.number, $(".tracking", row).textContent);
        el.setAttribute("data-tracking", $(".tracking", row).textContent);
      } else {
        el.textContent = msg("s_mine_none", "", m.number);
      }
      el.hidden = false;
    }).catch(function () { el.hidden = true; });
    return id;
  }

  // --- Casting a ballot.

  function wireBallot() {
    var form = $("#secret-form");
    if (!form) { return; }
    var approve = Number(form.getAttribute("data-approve")) || 0;
    var boxes = form.querySelectorAll("input[name=vote]");
    if (approve) {
      // Approval of up to k: the k+1-th box cannot be ticked.
      form.addEventListener("change", function () {
        var n = form.querySelectorAll("input[name=vote]:checked").length;
        boxes.forEach(function (b) { b.disabled = !b.checked && n >= approve; });
      });
    }
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var out = $(".sign-status", form), btn = $("button[type=submit]", form), track = $("#secret-tracking");
      var id = Number(form.getAttribute("data-proposal"));
      var votes = Array.prototype.map.call(boxes, function (b) { return b.checked ? 1 : 0; });
      var chosen = votes.reduce(function (a, b) { return a + b; }, 0);
      track.hidden = true;
      if (!approve && chosen !== 1) { S.say(out, msg("s_choose_one"), true); return; }
      if (approve && chosen > approve) { S.say(out, msg("s_too_many", "", approve), true); return; }
      btn.disabled = true;
      var m, cast;
      member().then(function (got) {
        m = got;
        S.say(out, msg("s_loading"));
        return Promise.all([detail(id), window.folkmootBallotReady]);
      }).then(function (all) {
        var d = all[0];
        if (!d.secret.key) { throw new Error(msg("s_not_open")); }
        S.say(out, msg("s_encrypting"));
        return call("cast", {
          electionId: d.election_id, chainId: d.chain_id, publicKey: d.secret.key, voterKey: m.rec.pub,
          choices: d.secret.choices, min: approve ? 0 : 1, max: approve || 1, votes: votes
        });
      }).then(function (r) {
        cast = r;
        return S.send(function () {
          return { author: m.rec.pub, kind: "secret-ballot", proposal: id, ballot: r.ballot };
        }, m.rec, out);
      }).then(function () {
        track.textContent = msg("s_tracking", "", cast.tracking);
        track.setAttribute("data-tracking", cast.tracking);
        track.hidden = false;
      }).catch(function (e) {
        if (!out.hasAttribute("data-done")) {
          S.say(out, e.message, true);
          out.setAttribute("data-done", "error");
        }
      }).then(function () {
        return detail(id).then(showSteps, function () {});
      }).finally(function () { btn.disabled = false; });
    });
  }

  // --- A trustee's steps.

  // secretName is where this trustee's secret for a vote is kept.
  function secretName(d, m) { return "trustee/" + d.chain_id + "/" + d.proposal + "/" + m.rec.pub; }

  // openShare returns the share dealer (a number) dealt trustee me: the
  // one revealed in answer to a complaint, or the sealed one, opened and
  // checked against the dealer's commitments.
  function openShare(kept, dealer, o, me) {
    var answered = (o.complaints || []).filter(function (c) { return c.by === me && c.answered; })[0];
    if (answered) { return Promise.resolve(answered.share); }
    var sh = (o.shares || []).filter(function (s) { return s.to === me; })[0];
    if (!sh) {
      var e = new Error("trustee " + dealer + " dealt no share to trustee " + me);
      e.complaint = true;
      return Promise.reject(e);
    }
    return call("trusteeOpen", { secret: kept.secret, dealer: dealer, commitments: o.commitments, sealed: sh.sealed })
      .then(function (r) { return r.share; });
  }

  // step takes the step that is due for trustee me on d, resolving with
  // the sentence to show when nothing was sent.
  function step(d, m, me, out) {
    var sec = d.secret, mine = d.dealers[me - 1], name = secretName(d, m), now = Date.now();
    var send = function (what, fields) {
      return S.send(function () {
        var a = { author: m.rec.pub, kind: what, proposal: d.proposal };
        Object.keys(fields).forEach(function (k) { a[k] = fields[k]; });
        return a;
      }, m.rec, out).then(function () { return null; });
    };
    if (d.status === "counting") { return decrypt(d, m, me, out, send); }
    if (d.status !== "scheduled") {
      return Promise.resolve(sec.trustees[me - 1].decrypted ? msg("s_decrypted") :
        d.status === "open" ? msg("s_key_made") : msg("s_over", "", d.status));
    }
    if (sec.key) { return Promise.resolve(msg("s_key_made")); }
    if (!mine.recipient) {
      if (now >= Date.parse(sec.commit_by)) { return Promise.reject(new Error(msg("s_too_late"))); }
      return S.load(name).then(function (kept) {
        if (kept) { return kept; }
        S.say(out, msg("s_committing"));
        return call("trusteeNew", { election: name, index: me, t: sec.threshold, n: sec.trustees.length }).then(function (r) {
          // Kept before anything is sent: a commitment whose secret is
          // lost would make this trustee's shares impossible to deal.
          var rec = { secret: r.secret, recipient: r.recipient, commitments: r.commitments };
          return S.keep(name, rec).then(function () { return rec; });
        });
      }).then(function (kept) {
        return send("trustee-commit", { recipient: kept.recipient, commitments: kept.commitments });
      });
    }
    return S.load(name).then(function (kept) {
      if (!kept) { throw new Error(msg("s_no_secret")); }
      var all = true, recipients = {};
      d.dealers.forEach(function (o, k) {
        if (!o.recipient) { all = false; } else if (k + 1 !== me) { recipients[k + 1] = o.recipient; }
      });
      if (!mine.shares || !mine.shares.length) {
        if (!all && now < Date.parse(sec.commit_by)) { return msg("s_waiting"); }
        if (!Object.keys(recipients).length) { return msg("s_nothing_due"); } // no other trustee committed
        S.say(out, msg("s_dealing"));
        return call("trusteeSeal", { secret: kept.secret, recipients: recipients }).then(function (r) {
          var shares = Object.keys(r.sealed).map(Number).sort(function (a, b) { return a - b; })
            .map(function (j) { return { to: j, sealed: r.sealed[j] }; });
          return send("trustee-shares", { shares: shares });
        });
      }
      // Check each share dealt to me, in turn; complain of the first bad one.
      var others = d.dealers.map(function (o, k) { return [k + 1, o]; }).filter(function (x) {
        var o = x[1];
        return x[0] !== me && o.shares && o.shares.length &&
          !(o.complaints || []).some(function (c) { return c.by === me; });
      });
      var check = others.reduce(function (p, x) {
        return p.then(function (done) {
          if (done !== undefined) { return done; }
          return openShare(kept, x[0], x[1], me).then(function () { return undefined; }, function (e) {
            if (!e.complaint || now >= Date.parse(sec.complain_by)) { return undefined; }
            S.say(out, msg("s_complaining", "", x[0], e.message));
            return send("trustee-complain", { dealer: x[0] });
          });
        });
      }, Promise.resolve(undefined));
      return check.then(function (done) {
        if (done !== undefined) { return done; }
        var open = (mine.complaints || []).filter(function (c) { return !c.answered; })[0];
        if (!open) { return msg("s_nothing_due"); }
        S.say(out, msg("s_answering", "", open.by));
        return call("trusteeReveal", { secret: kept.secret, j: open.by }).then(function (r) {
          return send("trustee-answer", { complainer: open.by, share: r.share });
        });
      });
    });
  }

  // decrypt publishes trustee me's partial decryption of d's aggregate.
  function decrypt(d, m, me, out, send) {
    var sec = d.secret;
    if (sec.trustees[me - 1].decrypted) { return Promise.resolve(msg("s_decrypted")); }
    return S.load(secretName(d, m)).then(function (kept) {
      if (!kept) { throw new Error(msg("s_no_secret")); }
      S.say(out, msg("s_decrypting"));
      var shares = {};
      return sec.trustees.filter(function (t) { return t.qualified; }).reduce(function (p, t) {
        return p.then(function () {
          if (t.number === me) { shares[me] = ""; return; }
          return openShare(kept, t.number, d.dealers[t.number - 1], me).then(function (s) { shares[t.number] = s; });
        });
      }, Promise.resolve()).then(function () {
        return call("trusteeDecrypt", { secret: kept.secret, shares: shares, electionId: d.election_id, chainId: d.chain_id,
          publicKey: sec.key, aggregate: d.aggregate });
      }).then(function (r) { return send("trustee-decrypt", { partial: r.partial }); });
    });
  }

  // showSteps writes the trustees' steps from d into the page's table,
  // which the server drew when the page was loaded.
  function showSteps(d) {
    var table = $("#trustees");
    if (!table) { return; }
    var yes = table.getAttribute("data-yes"), disq = table.getAttribute("data-disqualified");
    d.secret.trustees.forEach(function (t) {
      var row = document.getElementById("trustee-" + t.number);
      if (!row) { return; }
      var cells = row.querySelectorAll("td");
      [t.committed, t.dealt, t.qualified, t.decrypted].forEach(function (done, i) {
        cells[i + 1].textContent = i === 2 && t.disqualified ? disq.replace("%s", t.disqualified) : (done ? yes : "—");
      });
    });
  }

  function wireTrustee() {
    var box = $("#trustee-tasks");
    if (!box) { return; }
    var id = box.getAttribute("data-proposal"), who = $("#trustee-me"), btn = $("#trustee-step"), out = $(".sign-status", box);
    // me finds the signed-in member's trustee number on d.
    function me(d, m) {
      var i = d.secret.trustees.findIndex(function (t) { return t.member === m.number; });
      if (i < 0) { throw new Error(msg("s_not_trustee", "", m.number)); }
      return i + 1;
    }
    Promise.all([member(), detail(id)]).then(function (x) {
      S.say(who, msg("s_you_trustee", "", me(x[1], x[0])));
    }).catch(function (e) { S.say(who, e.message, true); });
    btn.addEventListener("click", function () {
      btn.disabled = true;
      out.removeAttribute("data-done");
      Promise.all([member(), detail(id)]).then(function (x) {
        return step(x[1], x[0], me(x[1], x[0]), out);
      }).then(function (said) {
        if (said) {
          S.say(out, said);
          out.setAttribute("data-done", "idle");
        }
      }).catch(function (e) {
        if (!out.hasAttribute("data-done")) {
          S.say(out, e.message, true);
          out.setAttribute("data-done", "error");
        }
      }).then(function () {
        return detail(id).then(showSteps, function () {});
      }).finally(function () { btn.disabled = false; });
    });
  }

  showMine();
  wireBallot();
  wireTrustee();
})();
