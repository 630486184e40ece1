package keystore

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// Constants of the key backup format (see ExportBackup).
const (
	// BackupFormat is the value of the "format" member.
	BackupFormat = "folkmoot-key-backup"
	// BackupVersion is the value of the "version" member.
	BackupVersion = 1
	// BackupKDF is the value of the "kdf" member.
	BackupKDF = "PBKDF2-SHA256"
	// BackupCipher is the value of the "cipher" member.
	BackupCipher = "AES-256-GCM"
	// BackupIterations is the PBKDF2 iteration count ExportBackup writes
	// and the least ImportBackup accepts (OWASP's figure for
	// PBKDF2-HMAC-SHA256).
	BackupIterations = 600_000
	// BackupMaxIterations is the most ImportBackup accepts, so that a
	// hostile file cannot make it work for minutes.
	BackupMaxIterations = 10_000_000
	// MaxBackupSize is the largest backup file ImportBackup reads.
	MaxBackupSize = 64 << 10
)

const (
	backupSaltSize  = 16
	backupNonceSize = 12
	backupTagSize   = 16
	maxBackupPlain  = 4 << 10
)

// backupFile is the outer JSON document; field order is the order written.
type backupFile struct {
	Format     string `json:"format"`
	Version    int    `json:"version"`
	KDF        string `json:"kdf"`
	Iterations int    `json:"iterations"`
	Salt       string `json:"salt"`
	Cipher     string `json:"cipher"`
	Nonce      string `json:"nonce"`
	Ciphertext string `json:"ciphertext"`
}

// backupPlain is the document inside the ciphertext.
type backupPlain struct {
	Alias     string `json:"alias"`
	Seed      string `json:"seed"`
	PublicKey string `json:"public_key,omitempty"`
}

// ExportBackup returns a key backup file holding priv under alias,
// encrypted under passphrase, for the browser (or another home) to import.
// The format uses only what WebCrypto offers, so a web page can write and
// read it without other libraries.
//
// # Format, version 1
//
// The file is UTF-8 JSON (ExportBackup indents it with two spaces and ends
// it with a newline; readers must not depend on layout or member order,
// and ignore members they do not know):
//
//	{
//	  "format": "folkmoot-key-backup",
//	  "version": 1,
//	  "kdf": "PBKDF2-SHA256",
//	  "iterations": 600000,
//	  "salt": "<base64 of 16 random bytes>",
//	  "cipher": "AES-256-GCM",
//	  "nonce": "<base64 of 12 random bytes>",
//	  "ciphertext": "<base64 of the AES-GCM output: encrypted plaintext, then the 16-byte tag>"
//	}
//
// base64 is the standard alphabet with '=' padding (RFC 4648 section 4), as
// btoa and Uint8Array.prototype.toBase64 produce. format, version, kdf and
// cipher must be exactly these values. iterations is at least 600000
// (BackupIterations) and at most 10000000 (BackupMaxIterations); salt is
// 16 to 64 bytes; nonce is exactly 12 bytes; a writer uses fresh random
// salt and nonce for every file.
//
// Key: PBKDF2 with HMAC-SHA-256 over the passphrase's UTF-8 bytes exactly
// as typed (no trimming, no Unicode normalisation), the salt and the
// iteration count, 256 bits long. In WebCrypto:
//
//	base = await crypto.subtle.importKey("raw", new TextEncoder().encode(passphrase), "PBKDF2", false, ["deriveKey"])
//	key  = await crypto.subtle.deriveKey({name: "PBKDF2", hash: "SHA-256", salt, iterations},
//	                                     base, {name: "AES-GCM", length: 256}, false, ["encrypt", "decrypt"])
//
// Cipher: AES-256-GCM with the 12-byte nonce as iv, a 128-bit tag appended
// to the ciphertext (WebCrypto's default tagLength), and no additional
// data: crypto.subtle.encrypt({name: "AES-GCM", iv: nonce}, key, plaintext).
// A wrong passphrase and an altered file both fail the tag check and are
// reported alike.
//
// Plaintext: UTF-8 JSON
//
//	{"alias":"ada","seed":"<64 lowercase hex>","public_key":"<64 lowercase hex>"}
//
// alias is the key's name and follows CheckAlias (1 to 64 ASCII letters,
// digits, '.', '-', '_', starting with a letter or digit); an importer may
// store the key under another name. seed is the 32-byte ed25519 private
// key of RFC 8032. public_key is the 32-byte public key; ExportBackup
// always writes it, and a reader that finds it checks that it matches the
// seed. In WebCrypto the seed is the JWK member "d" of an exported Ed25519
// private key (base64url; the public key is "x"), or the last 32 bytes of
// its PKCS #8 export, whose first 16 bytes are always
// 302e020100300506032b657004220420 (hex); to import a seed, prefix it with
// those 16 bytes and import it as "pkcs8", or import the JWK
// {kty: "OKP", crv: "Ed25519", d, x}.
//
// testdata/backup-v1.json is a fixed file of this format; its passphrase,
// seed and public key are in testdata/backup-v1.vector.json.
func ExportBackup(priv ed25519.PrivateKey, alias string, passphrase []byte) ([]byte, error) {
	salt := make([]byte, backupSaltSize)
	nonce := make([]byte, backupNonceSize)
	if _, err := rand.Read(salt); err != nil {
		return nil, fmt.Errorf("export key backup: %w", err)
	}
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("export key backup: %w", err)
	}
	return exportBackup(priv, alias, passphrase, salt, nonce, BackupIterations)
}

func exportBackup(priv ed25519.PrivateKey, alias string, passphrase, salt, nonce []byte, iterations int) ([]byte, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("export key backup: a private key is %d bytes, not %d", ed25519.PrivateKeySize, len(priv))
	}
	if err := CheckAlias(alias); err != nil {
		return nil, fmt.Errorf("export key backup: %w", err)
	}
	if len(passphrase) == 0 {
		return nil, errorf(ErrEmptyPassphrase, "empty passphrase refused for the backup of key '%s'", alias)
	}
	plain, err := json.Marshal(backupPlain{
		Alias:     alias,
		Seed:      hex.EncodeToString(priv.Seed()),
		PublicKey: hex.EncodeToString(priv.Public().(ed25519.PublicKey)),
	})
	if err != nil {
		return nil, fmt.Errorf("export key backup: %w", err)
	}
	aead, err := backupAEAD(passphrase, salt, iterations)
	if err != nil {
		return nil, fmt.Errorf("export key backup: %w", err)
	}
	b64 := base64.StdEncoding.EncodeToString
	out, err := json.MarshalIndent(backupFile{
		Format:     BackupFormat,
		Version:    BackupVersion,
		KDF:        BackupKDF,
		Iterations: iterations,
		Salt:       b64(salt),
		Cipher:     BackupCipher,
		Nonce:      b64(nonce),
		Ciphertext: b64(aead.Seal(nil, nonce, plain, nil)),
	}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("export key backup: %w", err)
	}
	return append(out, '\n'), nil
}

func backupAEAD(passphrase, salt []byte, iterations int) (cipher.AEAD, error) {
	key, err := pbkdf2.Key(sha256.New, string(passphrase), salt, iterations, 32)
	if err != nil {
		return nil, fmt.Errorf("derive key: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// iterationLimits bound the PBKDF2 iteration count a backup may ask for.
// Only the fuzz test lowers them, to reach the decryption quickly.
type iterationLimits struct{ min, max int }

var backupLimits = iterationLimits{min: BackupIterations, max: BackupMaxIterations}

// ImportBackup opens a key backup file written by ExportBackup or by the
// browser (format on ExportBackup) and returns the private key and the
// alias it was saved under. A wrong passphrase or an altered file gives a
// *WrongPassphraseError; a file that is not a version 1 backup, or asks
// for fewer than 600000 or more than 10000000 iterations, an error
// matching ErrBadBackup.
func ImportBackup(data, passphrase []byte) (ed25519.PrivateKey, string, error) {
	return importBackup(data, passphrase, backupLimits)
}

func importBackup(data, passphrase []byte, lim iterationLimits) (ed25519.PrivateKey, string, error) {
	f, err := decodeBackup(data, lim)
	if err != nil {
		return nil, "", err
	}
	if len(passphrase) == 0 {
		return nil, "", errorf(ErrEmptyPassphrase, "empty passphrase for the key backup")
	}
	aead, err := backupAEAD(passphrase, f.salt, f.iterations)
	if err != nil {
		return nil, "", fmt.Errorf("import key backup: %w", err)
	}
	plain, err := aead.Open(nil, f.nonce, f.ciphertext, nil)
	if err != nil {
		return nil, "", &WrongPassphraseError{}
	}
	var p backupPlain
	if err := json.Unmarshal(plain, &p); err != nil {
		return nil, "", errorf(ErrBadBackup, "key backup: the decrypted content is not a key document")
	}
	if err := CheckAlias(p.Alias); err != nil {
		return nil, "", wrapf(ErrBadBackup, err, "key backup: the key's name is unusable")
	}
	seed, err := hex.DecodeString(p.Seed)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, "", errorf(ErrBadBackup, "key backup: the seed is not %d bytes of hex", ed25519.SeedSize)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	if p.PublicKey != "" {
		pub, err := hex.DecodeString(p.PublicKey)
		if err != nil || !bytes.Equal(pub, priv.Public().(ed25519.PublicKey)) {
			return nil, "", errorf(ErrBadBackup, "key backup: the public key does not match the seed")
		}
	}
	return priv, p.Alias, nil
}

type decodedBackup struct {
	iterations              int
	salt, nonce, ciphertext []byte
}

// decodeBackup checks everything about a backup that needs no passphrase.
func decodeBackup(data []byte, lim iterationLimits) (decodedBackup, error) {
	bad := func(format string, args ...any) (decodedBackup, error) {
		return decodedBackup{}, errorf(ErrBadBackup, "not a folkmoot key backup: "+format, args...)
	}
	if len(data) > MaxBackupSize {
		return bad("larger than %d bytes", MaxBackupSize)
	}
	if !utf8.Valid(data) {
		return bad("not UTF-8 text")
	}
	var f backupFile
	if err := json.Unmarshal(data, &f); err != nil {
		return bad("not JSON (%v)", err)
	}
	switch {
	case f.Format != BackupFormat:
		return bad("format is %q, not %q", f.Format, BackupFormat)
	case f.Version != BackupVersion:
		return bad("version %d; this folkmoot reads version %d", f.Version, BackupVersion)
	case f.KDF != BackupKDF:
		return bad("kdf is %q, not %q", f.KDF, BackupKDF)
	case f.Cipher != BackupCipher:
		return bad("cipher is %q, not %q", f.Cipher, BackupCipher)
	case f.Iterations < lim.min || f.Iterations > lim.max:
		return bad("%d iterations, outside %d to %d", f.Iterations, lim.min, lim.max)
	}
	d := decodedBackup{iterations: f.Iterations}
	var err error
	if d.salt, err = base64.StdEncoding.Strict().DecodeString(f.Salt); err != nil || len(d.salt) < backupSaltSize || len(d.salt) > 64 {
		return bad("salt is not 16 to 64 bytes of base64")
	}
	if d.nonce, err = base64.StdEncoding.Strict().DecodeString(f.Nonce); err != nil || len(d.nonce) != backupNonceSize {
		return bad("nonce is not 12 bytes of base64")
	}
	if d.ciphertext, err = base64.StdEncoding.Strict().DecodeString(f.Ciphertext); err != nil {
		return bad("ciphertext is not base64")
	}
	if len(d.ciphertext) < backupTagSize || len(d.ciphertext) > maxBackupPlain+backupTagSize {
		return bad("ciphertext of %d bytes", len(d.ciphertext))
	}
	return d, nil
}
