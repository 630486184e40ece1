// ballot.js: the browser's secret-ballot cryptography, loaded on first use.
//
// A page that encrypts a ballot or does a trustee's task includes this
// script and asks for the API:
//
//   window.folkmootBallotReady.then(function (api) {
//     var r = api.cast({electionId: "…", chainId: "…", publicKey: "…",
//                       voterKey: "…", choices: 5, min: 1, max: 1,
//                       votes: [0, 0, 1, 0, 0]});
//     if (r.error) { … } else { send(r.ballot); show(r.tracking); }
//   });
//
// Nothing is fetched until folkmootBallotReady is first read: then Go's
// wasm_exec.js and ballot.wasm (cmd/ballotwasm: internal/ballot and
// internal/trustee built for WebAssembly, the very code the nodes run) are
// loaded from beside this script. The promise resolves with
// window.folkmootBallot, whose functions (cast, verify, trusteeNew,
// trusteeSeal, trusteeOpen, trusteeReveal, trusteeDecrypt) take a plain
// object and return one, byte strings in hex, and answer {error: "…"}
// instead of throwing (internal/ballotjs documents each). It rejects if the
// files cannot be loaded; reading folkmootBallotReady again then retries.
(function () {
  "use strict";
  if ("folkmootBallotReady" in window) {
    return; // included twice
  }

  var script = document.currentScript;
  var base = script && script.src ? new URL(".", script.src).href : "/static/";
  var ready = null;

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = src;
      s.onload = resolve;
      s.onerror = function () { reject(new Error("could not load " + src)); };
      document.head.appendChild(s);
    });
  }

  function instantiate(go) {
    return fetch(base + "ballot.wasm").then(function (res) {
      if (!res.ok) {
        throw new Error("could not load ballot.wasm: " + res.status);
      }
      if (WebAssembly.instantiateStreaming) {
        return WebAssembly.instantiateStreaming(res, go.importObject);
      }
      return res.arrayBuffer().then(function (b) { return WebAssembly.instantiate(b, go.importObject); });
    });
  }

  function load() {
    if (ready) {
      return ready;
    }
    ready = (window.Go ? Promise.resolve() : loadScript(base + "wasm_exec.js")).then(function () {
      var go = new window.Go();
      return instantiate(go).then(function (result) {
        // main runs until it waits for calls, having set folkmootBallot.
        go.run(result.instance);
        if (!window.folkmootBallot) {
          throw new Error("ballot.wasm did not start");
        }
        return window.folkmootBallot;
      });
    });
    ready.catch(function () { ready = null; });
    return ready;
  }

  Object.defineProperty(window, "folkmootBallotReady", { get: load });
})();
