// Package keystore keeps members' ed25519 keys in a node home, encrypted
// with age (filippo.io/age) under a passphrase, and converts them to and
// from the encrypted backup file the browser uses.
//
// # Layout
//
// A home's keys live in HOME/keys (mode 0700). Each key is two files named
// by its local alias (1 to 64 ASCII letters, digits, '.', '-' or '_',
// starting with a letter or digit; see [CheckAlias]):
//
//	HOME/keys/ALIAS.key   the key (mode 0600)
//	HOME/keys/ALIAS.pub   its public half, in the clear (mode 0600)
//
// A key file that others can read or write, or a keys directory others
// can write, is still read, but every command that shows or uses the key
// should print [Store.PermissionWarning], as ssh does.
//
// ALIAS.key is the authority: a key exists when its .key file exists, and
// it is never overwritten. ALIAS.pub is a sidecar so that [Store.List] and
// [Store.Show] need no passphrase. Files whose names start with a dot are
// temporary files of an interrupted write and are ignored.
//
// # The key file
//
// An encrypted ALIAS.key is an ASCII-armored age file (binary age files are
// read too) encrypted to exactly one scrypt passphrase recipient, so that
// `age -d HOME/keys/ALIAS.key` opens it with the same passphrase. Its
// plaintext is one JSON object:
//
//	{"version":1,"alias":"ada","public_key":"<64 hex>","seed":"<64 hex>","created":"2026-05-01T10:00:00Z"}
//
// version is 1; alias equals the file name's alias (a key file renamed by
// hand is refused rather than silently used under another name);
// public_key is the 32-byte ed25519 public key and seed the 32-byte
// ed25519 seed (RFC 8032 private key), both lowercase hex; created is
// whatever string the caller gave when the key was made (the package reads
// no clock), possibly empty.
//
// A key made with the insecure-unencrypted option (throwaway demos only)
// is that same JSON object in the clear with one more member,
// "insecure_unencrypted": true. A plaintext key file without that marker is
// refused as damaged. Every use of such a key should print
// [InsecureWarning].
//
// # The public sidecar
//
// ALIAS.pub is one JSON object and a newline:
//
//	{"version":1,"alias":"ada","public_key":"<64 hex>","created":"2026-05-01T10:00:00Z"}
//
// (A bare line of 64 hex digits, the first layout, is still read.) The
// sidecar is written after the key file; if a crash falls between the two,
// the next successful [Store.Load] writes the missing sidecar again.
//
// # Writes
//
// Every file is written to a temporary file in the same directory, synced,
// and then hard-linked to its name (which fails if the name exists, so two
// processes making the same alias cannot overwrite each other) or renamed
// (the sidecar, which is derived data). On any error no key file or
// sidecar has changed: all checks and the passphrase come before the first
// write, and a key file whose sidecar cannot be written is removed again.
// (Only HOME/keys itself may remain if it was created, or tightened to
// 0700, just before a write failed.) Reading (List, Show, Load) never
// writes, except that Load restores a missing sidecar.
//
// # Backups
//
// [ExportBackup] and [ImportBackup] read and write the key backup file a
// browser can produce and read with WebCrypto alone; its format is
// documented on [ExportBackup].
package keystore
