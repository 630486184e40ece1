// A reference implementation of the folkmoot key backup (format on
// keystore.ExportBackup) using WebCrypto alone, as a browser would. Node
// runs it in the Go tests (TestBackupWebCrypto) so that the format is
// checked against a second implementation.
//
//   node backup-webcrypto.mjs open FILE PASSPHRASE   -> {"alias","seed","public_key"} on stdout
//   node backup-webcrypto.mjs make ALIAS SEED_HEX PASSPHRASE -> a backup file on stdout

import { readFileSync } from "node:fs";

const subtle = globalThis.crypto.subtle;
const PKCS8_ED25519_PREFIX = "302e020100300506032b657004220420";

const hex = (u8) => Array.from(u8, (b) => b.toString(16).padStart(2, "0")).join("");
const unhex = (s) => new Uint8Array(s.match(/../g).map((h) => parseInt(h, 16)));
const b64 = (u8) => btoa(String.fromCharCode(...u8));
const unb64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
const b64url = (s) => unb64(s.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (s.length % 4)) % 4));

async function aesKey(passphrase, salt, iterations) {
  const base = await subtle.importKey("raw", new TextEncoder().encode(passphrase), "PBKDF2", false, ["deriveKey"]);
  return subtle.deriveKey({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, base,
    { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
}

// publicKeyOf derives the public key from a seed: import as PKCS #8, export as JWK.
async function publicKeyOf(seed) {
  const pkcs8 = new Uint8Array([...unhex(PKCS8_ED25519_PREFIX), ...seed]);
  const priv = await subtle.importKey("pkcs8", pkcs8, { name: "Ed25519" }, true, ["sign"]);
  const jwk = await subtle.exportKey("jwk", priv);
  if (hex(b64url(jwk.d)) !== hex(seed)) throw new Error("JWK d is not the seed");
  return b64url(jwk.x);
}

async function open(file, passphrase) {
  const f = JSON.parse(file);
  if (f.format !== "folkmoot-key-backup" || f.version !== 1 || f.kdf !== "PBKDF2-SHA256" || f.cipher !== "AES-256-GCM") {
    throw new Error("not a folkmoot key backup");
  }
  if (!(f.iterations >= 600000 && f.iterations <= 10000000)) throw new Error("iterations out of range");
  const key = await aesKey(passphrase, unb64(f.salt), f.iterations);
  const plain = await subtle.decrypt({ name: "AES-GCM", iv: unb64(f.nonce) }, key, unb64(f.ciphertext));
  const p = JSON.parse(new TextDecoder().decode(plain));
  const pub = hex(await publicKeyOf(unhex(p.seed)));
  if (p.public_key !== undefined && p.public_key !== pub) throw new Error("public key does not match the seed");
  return { alias: p.alias, seed: p.seed, public_key: pub };
}

async function make(alias, seedHex, passphrase) {
  const seed = unhex(seedHex);
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const nonce = crypto.getRandomValues(new Uint8Array(12));
  const iterations = 600000;
  const plain = JSON.stringify({ alias, seed: seedHex, public_key: hex(await publicKeyOf(seed)) });
  const key = await aesKey(passphrase, salt, iterations);
  const ct = new Uint8Array(await subtle.encrypt({ name: "AES-GCM", iv: nonce }, key, new TextEncoder().encode(plain)));
  return JSON.stringify({ format: "folkmoot-key-backup", version: 1, kdf: "PBKDF2-SHA256", iterations,
    salt: b64(salt), cipher: "AES-256-GCM", nonce: b64(nonce), ciphertext: b64(ct) }, null, 2) + "\n";
}

const [cmd, ...args] = process.argv.slice(2);
if (cmd === "open") {
  process.stdout.write(JSON.stringify(await open(readFileSync(args[0], "utf8"), args[1])) + "\n");
} else if (cmd === "make") {
  process.stdout.write(await make(args[0], args[1], args[2]));
} else {
  console.error("usage: backup-webcrypto.mjs open FILE PASSPHRASE | make ALIAS SEED_HEX PASSPHRASE");
  process.exit(2);
}
