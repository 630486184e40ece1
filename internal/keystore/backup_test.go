package keystore

import (
	"bytes"
	"crypto/ed25519"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var updateVector = flag.Bool("update-vector", false, "rewrite testdata/backup-v1*.json (never needed: the vector is fixed forever)")

// backupVector is testdata/backup-v1.vector.json: everything a browser
// test needs to check its implementation step by step against
// testdata/backup-v1.json.
type backupVector struct {
	Description string `json:"description"`
	BackupFile  string `json:"backup_file"`
	Passphrase  string `json:"passphrase"`
	Alias       string `json:"alias"`
	Seed        string `json:"seed"`
	PublicKey   string `json:"public_key"`
	Salt        string `json:"salt_hex"`
	Nonce       string `json:"nonce_hex"`
	Iterations  int    `json:"iterations"`
	AESKey      string `json:"aes_key_hex"`
	Plaintext   string `json:"plaintext"`
}

func vectorFixed() backupVector {
	return backupVector{
		Description: "A folkmoot key backup (format on keystore.ExportBackup) made with fixed salt and nonce. " +
			"Importing backup_file with passphrase must give alias, seed and public_key; aes_key_hex is the PBKDF2 output and plaintext the decrypted bytes. " +
			"The seed and public key are RFC 8032 section 7.1 test 1. The passphrase holds non-ASCII characters: use its UTF-8 bytes as they are.",
		BackupFile: "backup-v1.json",
		Passphrase: "correct horse battery staple — folkmoot ✓",
		Alias:      "alice",
		Seed:       rfcSeed,
		PublicKey:  rfcPub,
		Salt:       "6b1f0ae4c2d39a5e7f80b1c4d5e6f708",
		Nonce:      "0a1b2c3d4e5f607182939495",
		Iterations: BackupIterations,
	}
}

func readVector(t *testing.T) (backupVector, []byte) {
	t.Helper()
	if *updateVector {
		v := vectorFixed()
		priv := ed25519.NewKeyFromSeed(unhex(t, v.Seed))
		file, err := exportBackup(priv, v.Alias, []byte(v.Passphrase), unhex(t, v.Salt), unhex(t, v.Nonce), v.Iterations)
		if err != nil {
			t.Fatal(err)
		}
		key, _ := pbkdf2.Key(sha256.New, v.Passphrase, unhex(t, v.Salt), v.Iterations, 32)
		v.AESKey = hex.EncodeToString(key)
		v.Plaintext = `{"alias":"` + v.Alias + `","seed":"` + v.Seed + `","public_key":"` + v.PublicKey + `"}`
		js, _ := json.MarshalIndent(v, "", "  ")
		os.WriteFile(filepath.Join("testdata", "backup-v1.vector.json"), append(js, '\n'), 0o644)
		os.WriteFile(filepath.Join("testdata", v.BackupFile), file, 0o644)
	}
	var v backupVector
	if err := json.Unmarshal(must(os.ReadFile(filepath.Join("testdata", "backup-v1.vector.json"))), &v); err != nil {
		t.Fatal(err)
	}
	return v, must(os.ReadFile(filepath.Join("testdata", v.BackupFile)))
}

// TestBackupVector: the fixed file opens to the known key, every
// intermediate value is as recorded, and ExportBackup with the same salt
// and nonce writes the very same bytes.
func TestBackupVector(t *testing.T) {
	v, file := readVector(t)
	priv, alias, err := ImportBackup(file, []byte(v.Passphrase))
	if err != nil {
		t.Fatal(err)
	}
	if alias != v.Alias || hex.EncodeToString(priv.Seed()) != v.Seed || hex.EncodeToString(priv.Public().(ed25519.PublicKey)) != v.PublicKey {
		t.Fatalf("vector opened to %s, %x", alias, priv.Seed())
	}
	if v.Seed != rfcSeed || v.PublicKey != rfcPub {
		t.Fatal("the vector no longer holds RFC 8032's test key")
	}
	key, err := pbkdf2.Key(sha256.New, v.Passphrase, unhex(t, v.Salt), v.Iterations, 32)
	if err != nil || hex.EncodeToString(key) != v.AESKey {
		t.Fatalf("PBKDF2 gave %x, the vector says %s", key, v.AESKey)
	}
	d, err := decodeBackup(file, backupLimits)
	if err != nil {
		t.Fatal(err)
	}
	aead, _ := backupAEAD([]byte(v.Passphrase), d.salt, d.iterations)
	plain, err := aead.Open(nil, d.nonce, d.ciphertext, nil)
	if err != nil || string(plain) != v.Plaintext {
		t.Fatalf("plaintext %q, the vector says %q", plain, v.Plaintext)
	}
	again, err := exportBackup(priv, v.Alias, []byte(v.Passphrase), unhex(t, v.Salt), unhex(t, v.Nonce), v.Iterations)
	if err != nil || !bytes.Equal(again, file) {
		t.Fatalf("export does not reproduce the vector:\n%s\nwant\n%s", again, file)
	}
	var outer map[string]any
	json.Unmarshal(file, &outer)
	for k, want := range map[string]any{"format": "folkmoot-key-backup", "version": 1.0, "kdf": "PBKDF2-SHA256", "iterations": 600000.0, "cipher": "AES-256-GCM"} {
		if outer[k] != want {
			t.Errorf("%s is %v, want %v", k, outer[k], want)
		}
	}
}

func TestBackupRoundTrip(t *testing.T) {
	_, priv, _ := ed25519.GenerateKey(nil)
	a, err := ExportBackup(priv, "ada.2", []byte("pw ü"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := ExportBackup(priv, "ada.2", []byte("pw ü"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a, b) {
		t.Fatal("two exports are identical: salt and nonce are not fresh")
	}
	got, alias, err := ImportBackup(a, []byte("pw ü"))
	if err != nil || alias != "ada.2" || !got.Equal(priv) {
		t.Fatalf("round trip: %s %v", alias, err)
	}
	if bytes.Contains(a, []byte(hex.EncodeToString(priv.Seed()))) {
		t.Fatal("the backup shows the seed")
	}

	// A backup moves a key from one home to another.
	s, _ := openStore(t)
	k, err := s.Import(alias, got.Seed(), pw("home pw"), fast)
	if err != nil || !k.PrivateKey.Equal(priv) {
		t.Fatalf("import into a store: %v", err)
	}
}

func TestExportBackupErrors(t *testing.T) {
	priv := ed25519.NewKeyFromSeed(unhex(t, rfcSeed))
	for _, tt := range []struct {
		name string
		priv ed25519.PrivateKey
		alias, pass,
		says string
		kind error
	}{
		{"empty passphrase", priv, "alice", "", "empty passphrase refused for the backup of key 'alice'", ErrEmptyPassphrase},
		{"bad alias", priv, "a/b", "pw", `export key backup: bad key name "a/b"…`, ErrBadAlias},
		{"short key", priv[:32], "alice", "pw", "export key backup: a private key is 64 bytes, not 32", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, err := ExportBackup(tt.priv, tt.alias, []byte(tt.pass))
			if out != nil {
				t.Fatal("output on error")
			}
			says := tt.says
			if p, ok := strings.CutSuffix(says, "…"); ok {
				says = "…" + p
			}
			checkErr(t, err, tt.kind, says)
		})
	}
}

// edit returns the vector file with its JSON members changed (nil value:
// removed).
func edit(t *testing.T, file []byte, changes map[string]any) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(file, &m); err != nil {
		t.Fatal(err)
	}
	for k, v := range changes {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	return must(json.Marshal(m))
}

// sealPlain makes a backup around any plaintext, with few iterations.
func sealPlain(t *testing.T, plain string) []byte {
	t.Helper()
	salt, nonce := make([]byte, 16), make([]byte, 12)
	aead, err := backupAEAD([]byte("pw"), salt, 1000)
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.StdEncoding.EncodeToString
	return must(json.Marshal(backupFile{BackupFormat, BackupVersion, BackupKDF, 1000, b64(salt), BackupCipher, b64(nonce), b64(aead.Seal(nil, nonce, []byte(plain), nil))}))
}

func TestImportBackupErrors(t *testing.T) {
	v, file := readVector(t)
	pass := []byte(v.Passphrase)
	var outer backupFile
	json.Unmarshal(file, &outer)
	ct := must(base64.StdEncoding.DecodeString(outer.Ciphertext))
	flipped := func(b []byte, i int) string {
		c := bytes.Clone(b)
		c[i] ^= 1
		return base64.StdEncoding.EncodeToString(c)
	}
	low := iterationLimits{1, 1000}
	other := hex.EncodeToString(ed25519.NewKeyFromSeed(make([]byte, 32)).Public().(ed25519.PublicKey))

	tests := []struct {
		name string
		data []byte
		pass []byte
		lim  iterationLimits
		kind error
		says string
	}{
		{"wrong passphrase", file, []byte("correct horse battery staple"), backupLimits, ErrWrongPassphrase, "wrong passphrase for the key backup, or the backup was altered"},
		{"empty passphrase", file, nil, backupLimits, ErrEmptyPassphrase, "empty passphrase for the key backup"},
		{"ciphertext altered", edit(t, file, map[string]any{"ciphertext": flipped(ct, 3)}), pass, backupLimits, ErrWrongPassphrase, "…or the backup was altered"},
		{"tag altered", edit(t, file, map[string]any{"ciphertext": flipped(ct, len(ct)-1)}), pass, backupLimits, ErrWrongPassphrase, "…or the backup was altered"},
		{"nonce altered", edit(t, file, map[string]any{"nonce": flipped(unhex(t, v.Nonce), 0)}), pass, backupLimits, ErrWrongPassphrase, "…or the backup was altered"},
		{"salt altered", edit(t, file, map[string]any{"salt": flipped(unhex(t, v.Salt), 15)}), pass, backupLimits, ErrWrongPassphrase, "…or the backup was altered"},
		{"iterations altered", edit(t, file, map[string]any{"iterations": 600001}), pass, backupLimits, ErrWrongPassphrase, "…or the backup was altered"},
		{"ciphertext truncated", edit(t, file, map[string]any{"ciphertext": base64.StdEncoding.EncodeToString(ct[:20])}), pass, backupLimits, ErrWrongPassphrase, "…or the backup was altered"},
		{"too few iterations", edit(t, file, map[string]any{"iterations": 599999}), pass, backupLimits, ErrBadBackup, "not a folkmoot key backup: 599999 iterations, outside 600000 to 10000000"},
		{"too many iterations", edit(t, file, map[string]any{"iterations": 10000001}), pass, backupLimits, ErrBadBackup, "…outside 600000 to 10000000"},
		{"iterations missing", edit(t, file, map[string]any{"iterations": nil}), pass, backupLimits, ErrBadBackup, "…0 iterations"},
		{"another format", edit(t, file, map[string]any{"format": "age"}), pass, backupLimits, ErrBadBackup, `not a folkmoot key backup: format is "age", not "folkmoot-key-backup"`},
		{"version 2", edit(t, file, map[string]any{"version": 2}), pass, backupLimits, ErrBadBackup, "not a folkmoot key backup: version 2; this folkmoot reads version 1"},
		{"another kdf", edit(t, file, map[string]any{"kdf": "PBKDF2-SHA1"}), pass, backupLimits, ErrBadBackup, `…kdf is "PBKDF2-SHA1"`},
		{"another cipher", edit(t, file, map[string]any{"cipher": "AES-128-GCM"}), pass, backupLimits, ErrBadBackup, `…cipher is "AES-128-GCM"`},
		{"short salt", edit(t, file, map[string]any{"salt": "AAAA"}), pass, backupLimits, ErrBadBackup, "…salt is not 16 to 64 bytes of base64"},
		{"salt not base64", edit(t, file, map[string]any{"salt": "!!!!"}), pass, backupLimits, ErrBadBackup, "…salt is not"},
		{"salt unpadded", edit(t, file, map[string]any{"salt": strings.TrimRight(outer.Salt, "=")}), pass, backupLimits, ErrBadBackup, "…salt is not"},
		{"short nonce", edit(t, file, map[string]any{"nonce": "AAAAAAAAAAAA"}), pass, backupLimits, ErrBadBackup, "…nonce is not 12 bytes of base64"},
		{"ciphertext not base64", edit(t, file, map[string]any{"ciphertext": "%%"}), pass, backupLimits, ErrBadBackup, "…ciphertext is not base64"},
		{"ciphertext shorter than a tag", edit(t, file, map[string]any{"ciphertext": "AAAA"}), pass, backupLimits, ErrBadBackup, "…ciphertext of 3 bytes"},
		{"not JSON", []byte("-----BEGIN AGE ENCRYPTED FILE-----"), pass, backupLimits, ErrBadBackup, "…not JSON"},
		{"empty", nil, pass, backupLimits, ErrBadBackup, "…not JSON"},
		{"not UTF-8", []byte("{\"format\":\"\xff\"}"), pass, backupLimits, ErrBadBackup, "not a folkmoot key backup: not UTF-8 text"},
		{"too large", append(bytes.Repeat([]byte(" "), MaxBackupSize), file...), pass, backupLimits, ErrBadBackup, "not a folkmoot key backup: larger than 65536 bytes"},
		{"plaintext not JSON", sealPlain(t, "seed=abc"), []byte("pw"), low, ErrBadBackup, "key backup: the decrypted content is not a key document"},
		{"plaintext bad alias", sealPlain(t, `{"alias":"../x","seed":"`+rfcSeed+`"}`), []byte("pw"), low, ErrBadAlias, `key backup: the key's name is unusable: bad key name "../x"…`},
		{"plaintext bad seed", sealPlain(t, `{"alias":"x","seed":"`+rfcSeed[:62]+`"}`), []byte("pw"), low, ErrBadBackup, "key backup: the seed is not 32 bytes of hex"},
		{"plaintext seed not hex", sealPlain(t, `{"alias":"x","seed":"`+strings.Repeat("zz", 32)+`"}`), []byte("pw"), low, ErrBadBackup, "key backup: the seed is not 32 bytes of hex"},
		{"plaintext other public key", sealPlain(t, `{"alias":"x","seed":"`+rfcSeed+`","public_key":"`+other+`"}`), []byte("pw"), low, ErrBadBackup, "key backup: the public key does not match the seed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			priv, alias, err := importBackup(tt.data, tt.pass, tt.lim)
			if priv != nil || alias != "" {
				t.Fatal("a key came out of a refused backup")
			}
			says := tt.says
			if p, ok := strings.CutSuffix(says, "…"); ok {
				says = "…" + p
			}
			checkErr(t, err, tt.kind, says)
			if tt.kind == ErrBadAlias && !errors.Is(err, ErrBadBackup) {
				t.Fatalf("%v is not ErrBadBackup", err)
			}
		})
	}

	// A backup without the optional public key still opens.
	priv, alias, err := importBackup(sealPlain(t, `{"alias":"x","seed":"`+rfcSeed+`"}`), []byte("pw"), low)
	if err != nil || alias != "x" || hex.EncodeToString(priv.Public().(ed25519.PublicKey)) != rfcPub {
		t.Fatalf("backup without public_key: %s %v", alias, err)
	}
	// Members a reader does not know are ignored.
	if _, _, err := ImportBackup(edit(t, file, map[string]any{"comment": "made in a browser"}), pass); err != nil {
		t.Fatalf("unknown member: %v", err)
	}
}

// FuzzImportBackup feeds the decoder arbitrary files and passphrases:
// it never panics, every refusal is classified, and whatever it accepts
// is a valid key under a valid alias that survives another round trip.
// The iteration floor is lowered so the fuzzer reaches the decryption.
func FuzzImportBackup(f *testing.F) {
	vector := must(os.ReadFile(filepath.Join("testdata", "backup-v1.json")))
	f.Add(vector, []byte("correct horse battery staple — folkmoot ✓"))
	priv := ed25519.NewKeyFromSeed(make([]byte, 32))
	low := must(exportBackup(priv, "fuzz", []byte("pw"), make([]byte, 16), make([]byte, 12), 10))
	f.Add(low, []byte("pw"))
	f.Add(low, []byte("wrong"))
	f.Add(low[:len(low)/2], []byte("pw"))
	f.Add([]byte(`{"format":"folkmoot-key-backup","version":1}`), []byte("pw"))
	f.Add([]byte("{}"), []byte(""))
	f.Add([]byte(""), []byte("pw"))
	lim := iterationLimits{1, 64}
	f.Fuzz(func(t *testing.T, data, pass []byte) {
		priv, alias, err := importBackup(data, pass, lim)
		if err != nil {
			if priv != nil || alias != "" {
				t.Fatal("a key came out with an error")
			}
			if !errors.Is(err, ErrBadBackup) && !errors.Is(err, ErrWrongPassphrase) && !errors.Is(err, ErrEmptyPassphrase) {
				t.Fatalf("unclassified error: %v", err)
			}
			return
		}
		if len(priv) != ed25519.PrivateKeySize || CheckAlias(alias) != nil || len(pass) == 0 {
			t.Fatalf("accepted %q with a bad key or alias", data)
		}
		again, err := exportBackup(priv, alias, pass, make([]byte, 16), make([]byte, 12), 10)
		if err != nil {
			t.Fatal(err)
		}
		priv2, alias2, err := importBackup(again, pass, lim)
		if err != nil || alias2 != alias || !priv2.Equal(priv) {
			t.Fatalf("round trip of an accepted backup failed: %v", err)
		}
	})
}

// TestBackupWebCrypto checks the format against a second implementation
// written with WebCrypto alone (testdata/backup-webcrypto.mjs), run by
// Node where it is installed: it opens the vector and a Go backup, and Go
// opens a backup it made.
func TestBackupWebCrypto(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	script := filepath.Join("testdata", "backup-webcrypto.mjs")
	run := func(args ...string) []byte {
		t.Helper()
		out, err := exec.Command(node, append([]string{script}, args...)...).Output()
		if err != nil {
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				t.Fatalf("node %v: %v\n%s", args, err, ee.Stderr)
			}
			t.Fatal(err)
		}
		return out
	}
	v, _ := readVector(t)
	want := `{"alias":"alice","seed":"` + rfcSeed + `","public_key":"` + rfcPub + `"}` + "\n"
	if got := string(run("open", filepath.Join("testdata", v.BackupFile), v.Passphrase)); got != want {
		t.Fatalf("WebCrypto opened the vector to %s, want %s", got, want)
	}

	priv := ed25519.NewKeyFromSeed(unhex(t, rfcSeed))
	goFile := filepath.Join(t.TempDir(), "go.json")
	os.WriteFile(goFile, must(ExportBackup(priv, "bob", []byte("pass ü ✓"))), 0o600)
	if got, want := string(run("open", goFile, "pass ü ✓")), strings.Replace(want, "alice", "bob", 1); got != want {
		t.Fatalf("WebCrypto opened a Go backup to %s, want %s", got, want)
	}

	jsFile := run("make", "carol", rfcSeed, "pass ü ✓")
	got, alias, err := ImportBackup(jsFile, []byte("pass ü ✓"))
	if err != nil || alias != "carol" || !got.Equal(priv) {
		t.Fatalf("Go opened a WebCrypto backup to %s: %v\n%s", alias, err, jsFile)
	}
}
