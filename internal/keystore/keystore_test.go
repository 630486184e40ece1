package keystore

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
	"filippo.io/age/armor"
)

// fast keeps scrypt cheap in tests; real keys use age's default.
var fast = Options{WorkFactor: 10, Created: "2026-05-01T10:00:00Z"}

// RFC 8032 section 7.1, test 1.
const (
	rfcSeed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
	rfcPub  = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
)

func openStore(t *testing.T) (*Store, string) {
	t.Helper()
	home := filepath.Join(t.TempDir(), "home")
	s, err := Open(home)
	if err != nil {
		t.Fatal(err)
	}
	return s, home
}

func pw(p string) Passphrase { return StaticPassphrase([]byte(p)) }

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// snapshot records every path under root with its mode and contents.
func snapshot(t *testing.T, root string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == root {
			b.WriteString("(absent)")
			return nil
		}
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %v", p, info.Mode())
		if !d.IsDir() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, " %x", data)
		}
		b.WriteString("\n")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func ageDecrypt(t *testing.T, data []byte, pass string) []byte {
	t.Helper()
	id, err := age.NewScryptIdentity(pass)
	if err != nil {
		t.Fatal(err)
	}
	r, err := age.Decrypt(armor.NewReader(bytes.NewReader(data)), id)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return plain
}

func TestNewLoadRoundTrip(t *testing.T) {
	s, home := openStore(t)
	if _, err := os.Stat(home); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Open created the home: %v", err)
	}
	k, err := s.New("alice", pw("correct horse"), fast)
	if err != nil {
		t.Fatal(err)
	}
	pub := hex.EncodeToString(k.PrivateKey.Public().(ed25519.PublicKey))
	want := Info{Alias: "alice", PublicKey: pub, Encrypted: true, Created: fast.Created}
	if k.Info != want {
		t.Fatalf("New gave %+v, want %+v", k.Info, want)
	}
	priv, err := s.Load("alice", pw("correct horse"))
	if err != nil {
		t.Fatal(err)
	}
	if !priv.Equal(k.PrivateKey) {
		t.Fatal("Load gave another key than New")
	}

	// The key file is an armored age file whose plaintext is the
	// documented JSON; the seed is not in it in the clear.
	data, err := os.ReadFile(filepath.Join(home, "keys", "alice.key"))
	if err != nil {
		t.Fatal(err)
	}
	seedHex := hex.EncodeToString(priv.Seed())
	if !bytes.HasPrefix(data, []byte(armor.Header+"\n")) || bytes.Contains(data, []byte(seedHex)) {
		t.Fatalf("key file is not an armored age file, or shows the seed:\n%s", data)
	}
	wantPlain := `{"version":1,"alias":"alice","public_key":"` + pub + `","seed":"` + seedHex + `","created":"2026-05-01T10:00:00Z"}`
	if got := string(ageDecrypt(t, data, "correct horse")); got != wantPlain {
		t.Fatalf("plaintext\n%s\nwant\n%s", got, wantPlain)
	}
	side, err := os.ReadFile(filepath.Join(home, "keys", "alice.pub"))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"version":1,"alias":"alice","public_key":"` + pub + `","created":"2026-05-01T10:00:00Z"}` + "\n"; string(side) != want {
		t.Fatalf("sidecar %q, want %q", side, want)
	}

	info, err := s.Show("alice")
	if err != nil || info != want {
		t.Fatalf("Show gave %+v, %v", info, err)
	}
	list, err := s.List()
	if err != nil || len(list) != 1 || list[0] != want {
		t.Fatalf("List gave %+v, %v", list, err)
	}
}

func TestPermissions(t *testing.T) {
	s, home := openStore(t)
	if _, err := s.New("alice", pw("pw"), fast); err != nil {
		t.Fatal(err)
	}
	if _, err := s.New("demo", nil, Options{InsecureUnencrypted: true}); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]fs.FileMode{
		"keys": 0o700, "keys/alice.key": 0o600, "keys/alice.pub": 0o600, "keys/demo.key": 0o600, "keys/demo.pub": 0o600,
	} {
		st, err := os.Stat(filepath.Join(home, name))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != want {
			t.Errorf("%s has mode %v, want %v", name, st.Mode().Perm(), want)
		}
	}
	entries, _ := os.ReadDir(filepath.Join(home, "keys"))
	if len(entries) != 4 {
		t.Errorf("keys holds %d files, want 4 (no temporary files left)", len(entries))
	}
}

func TestLooseKeysDirIsTightened(t *testing.T) {
	s, home := openStore(t)
	if err := os.MkdirAll(filepath.Join(home, "keys"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(filepath.Join(home, "keys"), 0o755)
	if _, err := s.New("alice", pw("pw"), fast); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(filepath.Join(home, "keys"))
	if st.Mode().Perm() != 0o700 {
		t.Fatalf("keys has mode %v after New, want 0700", st.Mode().Perm())
	}
}

func TestImport(t *testing.T) {
	s, _ := openStore(t)
	k, err := s.Import("rfc", unhex(t, rfcSeed), pw("pw"), fast)
	if err != nil {
		t.Fatal(err)
	}
	if k.PublicKey != rfcPub {
		t.Fatalf("public key %s, want RFC 8032's %s", k.PublicKey, rfcPub)
	}
	priv, err := s.Load("rfc", pw("pw"))
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(priv.Seed()) != rfcSeed {
		t.Fatal("Load gave another seed than imported")
	}
	// The key is never marshalled with its description.
	js, _ := json.Marshal(k)
	if bytes.Contains(js, []byte("PrivateKey")) || bytes.Contains(js, []byte(rfcSeed)) {
		t.Fatalf("Key marshals its private key: %s", js)
	}
}

func TestInsecureUnencrypted(t *testing.T) {
	s, home := openStore(t)
	k, err := s.New("demo", func() ([]byte, error) { t.Fatal("asked for a passphrase"); return nil, nil }, Options{InsecureUnencrypted: true, Created: "then"})
	if err != nil {
		t.Fatal(err)
	}
	if k.Encrypted {
		t.Fatal("insecure key described as encrypted")
	}
	data, _ := os.ReadFile(filepath.Join(home, "keys", "demo.key"))
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("insecure key file is not JSON: %v\n%s", err, data)
	}
	if doc["insecure_unencrypted"] != true || doc["seed"] != hex.EncodeToString(k.PrivateKey.Seed()) || doc["created"] != "then" {
		t.Fatalf("insecure key file %s", data)
	}
	priv, err := s.Load("demo", func() ([]byte, error) { t.Fatal("asked for a passphrase"); return nil, nil })
	if err != nil || !priv.Equal(k.PrivateKey) {
		t.Fatalf("Load: %v", err)
	}
	if !s.IsInsecure("demo") {
		t.Fatal("IsInsecure is false")
	}
	if got, want := InsecureWarning("alice"), "WARNING: key 'alice' is stored unencrypted; use it only for throwaway demos"; got != want {
		t.Fatalf("warning %q, want %q", got, want)
	}
	info, err := s.Show("demo")
	if err != nil || info.Encrypted || info.Created != "then" {
		t.Fatalf("Show %+v %v", info, err)
	}
}

func TestGenerateStillWorks(t *testing.T) {
	s, _ := openStore(t)
	info, err := s.Generate("demo", nil, true)
	if err != nil || info.Encrypted || info.Alias != "demo" {
		t.Fatalf("Generate: %+v %v", info, err)
	}
}

func TestDefaultWorkFactor(t *testing.T) {
	s, home := openStore(t)
	if _, err := s.New("alice", pw("pw"), Options{}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(home, "keys", "alice.key"))
	raw := must(io.ReadAll(armor.NewReader(bytes.NewReader(data))))
	lines := strings.SplitN(string(raw), "\n", 3)
	if lines[0] != "age-encryption.org/v1" {
		t.Fatalf("header %q", lines[0])
	}
	if f := strings.Fields(lines[1]); len(f) != 4 || f[0] != "->" || f[1] != "scrypt" || f[3] != "18" {
		t.Fatalf("recipient stanza %q, want scrypt with age's default work factor 18", lines[1])
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestBinaryAgeKeyFile(t *testing.T) {
	s, home := openStore(t)
	k, err := s.New("alice", pw("pw"), fast)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(home, "keys", "alice.key")
	binary := must(io.ReadAll(armor.NewReader(bytes.NewReader(must(os.ReadFile(path))))))
	if err := os.WriteFile(path, binary, 0o600); err != nil {
		t.Fatal(err)
	}
	priv, err := s.Load("alice", pw("pw"))
	if err != nil || !priv.Equal(k.PrivateKey) {
		t.Fatalf("binary age file: %v", err)
	}
	if !must(s.Show("alice")).Encrypted {
		t.Fatal("binary age file not seen as encrypted")
	}
}

func TestLegacySidecar(t *testing.T) {
	s, home := openStore(t)
	k, err := s.New("alice", pw("pw"), fast)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(home, "keys", "alice.pub"), []byte(k.PublicKey+"\n"), 0o600)
	info, err := s.Show("alice")
	if err != nil || info.PublicKey != k.PublicKey {
		t.Fatalf("legacy sidecar: %+v %v", info, err)
	}
}

func TestEmptyAndMissingHome(t *testing.T) {
	s, home := openStore(t)
	before := snapshot(t, filepath.Dir(home))
	list, err := s.List()
	if err != nil || list == nil || len(list) != 0 {
		t.Fatalf("List of a home without keys: %#v %v", list, err)
	}
	if snapshot(t, filepath.Dir(home)) != before {
		t.Fatal("List created something")
	}

	if _, err := Open(""); err == nil {
		t.Fatal("Open accepted an empty home")
	}
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o600)
	if _, err := Open(file); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Fatalf("Open of a file: %v", err)
	}
	os.MkdirAll(filepath.Join(filepath.Dir(file), "h"), 0o700)
	os.WriteFile(filepath.Join(filepath.Dir(file), "h", "keys"), nil, 0o600)
	if _, err := Open(filepath.Join(filepath.Dir(file), "h")); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Fatalf("Open with keys a file: %v", err)
	}
}

func TestListSorted(t *testing.T) {
	s, home := openStore(t)
	for _, a := range []string{"carol", "alice", "bob-2", "bob"} {
		if _, err := s.New(a, nil, Options{InsecureUnencrypted: true}); err != nil {
			t.Fatal(err)
		}
	}
	// Stray files are not keys.
	os.WriteFile(filepath.Join(home, "keys", ".tmp-123"), []byte("x"), 0o600)
	os.WriteFile(filepath.Join(home, "keys", "notes.txt"), []byte("x"), 0o600)
	list, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, i := range list {
		got = append(got, i.Alias)
	}
	if strings.Join(got, " ") != "alice bob bob-2 carol" {
		t.Fatalf("List order %v", got)
	}
}

func TestAliases(t *testing.T) {
	for _, a := range []string{"a", "alice", "Alice_2", "ada.lovelace", "x-1", "9", strings.Repeat("a", 64)} {
		if err := CheckAlias(a); err != nil {
			t.Errorf("CheckAlias(%q): %v", a, err)
		}
	}
	for _, a := range []string{"", ".", "..", "../evil", "a/b", `a\b`, ".hidden", "-flag", "a b", "é", "a\x00", "a\n", strings.Repeat("a", 65)} {
		err := CheckAlias(a)
		if !errors.Is(err, ErrBadAlias) {
			t.Errorf("CheckAlias(%q) = %v, want ErrBadAlias", a, err)
		}
	}
}

// TestErrors checks every refusal: its kind, its sentence, and that the
// home is exactly as before.
func TestErrors(t *testing.T) {
	s, home := openStore(t)
	alice, err := s.New("alice", pw("right"), fast)
	if err != nil {
		t.Fatal(err)
	}
	keys := filepath.Join(home, "keys")
	asked := func(t *testing.T) Passphrase {
		return func() ([]byte, error) { t.Error("asked for a passphrase"); return []byte("pw"), nil }
	}
	failing := func() ([]byte, error) { return nil, errors.New("the terminal went away") }

	tests := []struct {
		name string
		run  func(t *testing.T) error
		kind error
		says string // whole sentence, or a part of it after "…"
	}{
		{"wrong passphrase", func(t *testing.T) error { _, err := s.Load("alice", pw("wrong")); return err },
			ErrWrongPassphrase, "wrong passphrase for key 'alice'"},
		{"missing key Load", func(t *testing.T) error { _, err := s.Load("bob", asked(t)); return err },
			ErrNoKey, "no key 'bob' in " + keys},
		{"missing key Show", func(t *testing.T) error { _, err := s.Show("bob"); return err },
			ErrNoKey, "no key 'bob' in " + keys},
		{"duplicate alias New", func(t *testing.T) error { _, err := s.New("alice", asked(t), fast); return err },
			ErrKeyExists, "key 'alice' already exists in " + keys + "; it was left untouched (choose another name)"},
		{"duplicate alias Import", func(t *testing.T) error {
			_, err := s.Import("alice", unhex(t, rfcSeed), asked(t), fast)
			return err
		}, ErrKeyExists, "…already exists"},
		{"duplicate alias insecure", func(t *testing.T) error {
			_, err := s.New("alice", nil, Options{InsecureUnencrypted: true})
			return err
		}, ErrKeyExists, "…already exists"},
		{"bad alias New", func(t *testing.T) error { _, err := s.New("../evil", asked(t), fast); return err },
			ErrBadAlias, `bad key name "../evil": use 1 to 64 letters, digits, '.', '-' or '_', starting with a letter or digit`},
		{"bad alias Load", func(t *testing.T) error { _, err := s.Load("a/b", asked(t)); return err }, ErrBadAlias, "…bad key name"},
		{"bad alias Show", func(t *testing.T) error { _, err := s.Show(".alice"); return err }, ErrBadAlias, "…bad key name"},
		{"empty passphrase New", func(t *testing.T) error { _, err := s.New("bob", pw(""), fast); return err },
			ErrEmptyPassphrase, "empty passphrase refused for key 'bob': an encrypted key needs a passphrase"},
		{"empty passphrase Load", func(t *testing.T) error { _, err := s.Load("alice", pw("")); return err },
			ErrEmptyPassphrase, "empty passphrase for key 'alice'"},
		{"no passphrase source New", func(t *testing.T) error { _, err := s.New("bob", nil, fast); return err }, ErrNoPassphrase, "…no passphrase source"},
		{"no passphrase source Load", func(t *testing.T) error { _, err := s.Load("alice", nil); return err }, ErrNoPassphrase, "…encrypted"},
		{"passphrase source fails New", func(t *testing.T) error { _, err := s.New("bob", failing, fast); return err },
			nil, "passphrase for key 'bob': the terminal went away"},
		{"passphrase source fails Load", func(t *testing.T) error { _, err := s.Load("alice", failing); return err },
			nil, "passphrase for key 'alice': the terminal went away"},
		{"unavailable source", func(t *testing.T) error {
			_, err := s.New("bob", EnvPassphrase("FOLKMOOT_TEST_UNSET_VARIABLE"), fast)
			return err
		}, ErrNoPassphrase, "passphrase for key 'bob': $FOLKMOOT_TEST_UNSET_VARIABLE is not set"},
		{"work factor too high", func(t *testing.T) error { _, err := s.New("bob", asked(t), Options{WorkFactor: 23}); return err },
			nil, "key 'bob': scrypt work factor 23 is outside 1 to 22"},
		{"work factor negative", func(t *testing.T) error { _, err := s.New("bob", asked(t), Options{WorkFactor: -1}); return err },
			nil, "…outside 1 to 22"},
		{"short seed", func(t *testing.T) error { _, err := s.Import("bob", make([]byte, 31), asked(t), fast); return err },
			nil, "import key 'bob': a seed is 32 bytes, not 31"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := snapshot(t, home)
			err := tt.run(t)
			checkErr(t, err, tt.kind, tt.says)
			if snapshot(t, home) != before {
				t.Fatal("the home changed")
			}
		})
	}
	var wp *WrongPassphraseError
	if _, err := s.Load("alice", pw("wrong")); !errors.As(err, &wp) || wp.Alias != "alice" {
		t.Fatalf("wrong passphrase is not a *WrongPassphraseError: %#v", err)
	}
	var nk *NoKeyError
	if _, err := s.Load("bob", pw("x")); !errors.As(err, &nk) || nk.Alias != "bob" || nk.Dir != keys {
		t.Fatalf("missing key is not a *NoKeyError: %#v", err)
	}
	// And after all that the key still opens.
	if priv, err := s.Load("alice", pw("right")); err != nil || !priv.Equal(alice.PrivateKey) {
		t.Fatalf("alice after the errors: %v", err)
	}
}

func checkErr(t *testing.T, err, kind error, says string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one saying %q", says)
	}
	if part, ok := strings.CutPrefix(says, "…"); ok {
		if !strings.Contains(err.Error(), part) {
			t.Fatalf("error %q, want one containing %q", err, part)
		}
	} else if err.Error() != says {
		t.Fatalf("error %q\nwant     %q", err, says)
	}
	if kind != nil && !errors.Is(err, kind) {
		t.Fatalf("error %q is not %v", err, kind)
	}
}

// TestConcurrentCreate: a key that appears between New's check and its
// write (another process) wins, untouched, and New leaves nothing behind.
func TestConcurrentCreate(t *testing.T) {
	s, home := openStore(t)
	path := filepath.Join(home, "keys", "alice.key")
	intruder := func() ([]byte, error) {
		os.MkdirAll(filepath.Dir(path), 0o700)
		if err := os.WriteFile(path, []byte("the other process's key"), 0o600); err != nil {
			t.Fatal(err)
		}
		return []byte("pw"), nil
	}
	_, err := s.New("alice", intruder, fast)
	checkErr(t, err, ErrKeyExists, "…already exists")
	if got := string(must(os.ReadFile(path))); got != "the other process's key" {
		t.Fatalf("the other key was overwritten: %q", got)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("keys holds %d files, want only the other key", len(entries))
	}
}

// TestDamagedFiles: each damaged file is refused with ErrDamaged (or, for
// an altered wrapped key, as a wrong passphrase, which age cannot tell
// apart), and nothing changes.
func TestDamagedFiles(t *testing.T) {
	flip := func(data []byte, at int) []byte {
		out := bytes.Clone(data)
		out[at] ^= 0x01
		return out
	}
	sealed := func(t *testing.T, doc string) []byte {
		data, err := encrypt([]byte(doc), []byte("pw"), 10)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	other := ed25519.NewKeyFromSeed(make([]byte, 32))
	otherPub := hex.EncodeToString(other.Public().(ed25519.PublicKey))
	tests := []struct {
		name   string
		damage func(t *testing.T, key []byte, pub string) (newKey, newPub []byte) // nil: unchanged
		op     string                                                             // "load" or "show"
		kind   error
		says   string
	}{
		{"payload byte flipped", func(t *testing.T, key []byte, pub string) ([]byte, []byte) {
			binary := must(io.ReadAll(armor.NewReader(bytes.NewReader(key))))
			return flip(binary, len(binary)-5), nil
		}, "load", ErrDamaged, "…alice.key is damaged"},
		{"header MAC flipped", func(t *testing.T, key []byte, pub string) ([]byte, []byte) {
			binary := must(io.ReadAll(armor.NewReader(bytes.NewReader(key))))
			i := bytes.Index(binary, []byte("\n--- ")) + 6
			return flip(binary, i), nil
		}, "load", ErrDamaged, "…alice.key is damaged"},
		{"truncated", func(t *testing.T, key []byte, pub string) ([]byte, []byte) { return key[:len(key)/2], nil }, "load", ErrDamaged, "…is damaged"},
		{"garbage", func(t *testing.T, key []byte, pub string) ([]byte, []byte) { return []byte("hello"), nil }, "show", ErrDamaged, "…is neither an age file nor a key document"},
		{"empty", func(t *testing.T, key []byte, pub string) ([]byte, []byte) { return []byte{}, nil }, "load", ErrDamaged, "…is neither an age file nor a key document"},
		{"plaintext without the insecure marker", func(t *testing.T, key []byte, pub string) ([]byte, []byte) {
			return []byte(`{"version":1,"alias":"alice","public_key":"` + rfcPub + `","seed":"` + rfcSeed + `"}`), nil
		}, "show", ErrDamaged, "…is a plaintext key not marked insecure_unencrypted"},
		{"encrypted and marked insecure", func(t *testing.T, key []byte, pub string) ([]byte, []byte) {
			return sealed(t, `{"version":1,"alias":"alice","public_key":"`+rfcPub+`","seed":"`+rfcSeed+`","insecure_unencrypted":true}`), []byte(rfcPub)
		}, "load", ErrDamaged, "…is encrypted but marked insecure_unencrypted"},
		{"renamed by hand", func(t *testing.T, key []byte, pub string) ([]byte, []byte) {
			return sealed(t, `{"version":1,"alias":"bob","public_key":"`+rfcPub+`","seed":"`+rfcSeed+`"}`), []byte(rfcPub)
		}, "load", ErrDamaged, `…holds the key named "bob"`},
		{"future version", func(t *testing.T, key []byte, pub string) ([]byte, []byte) {
			return sealed(t, `{"version":2,"alias":"alice","public_key":"`+rfcPub+`","seed":"`+rfcSeed+`"}`), []byte(rfcPub)
		}, "load", ErrDamaged, "…has format version 2; this folkmoot reads version 1"},
		{"public key not of the seed", func(t *testing.T, key []byte, pub string) ([]byte, []byte) {
			return sealed(t, `{"version":1,"alias":"alice","public_key":"`+otherPub+`","seed":"`+rfcSeed+`"}`), []byte(otherPub)
		}, "load", ErrDamaged, "…holds a public key that does not match its seed"},
		{"short seed", func(t *testing.T, key []byte, pub string) ([]byte, []byte) {
			return sealed(t, `{"version":1,"alias":"alice","public_key":"`+rfcPub+`","seed":"abcd"}`), nil
		}, "load", ErrDamaged, "…holds a damaged seed"},
		{"not a key document inside", func(t *testing.T, key []byte, pub string) ([]byte, []byte) { return sealed(t, "[1,2]"), nil }, "load", ErrDamaged, "…does not hold a key document"},
		{"sidecar of another key", func(t *testing.T, key []byte, pub string) ([]byte, []byte) { return nil, []byte(otherPub + "\n") }, "load", ErrDamaged, "…alice.pub holds another public key than the key file"},
		{"sidecar garbage", func(t *testing.T, key []byte, pub string) ([]byte, []byte) { return nil, []byte("zz\n") }, "show", ErrDamaged, "…alice.pub is not a public key file"},
		{"sidecar names another key", func(t *testing.T, key []byte, pub string) ([]byte, []byte) {
			return nil, []byte(`{"version":1,"alias":"bob","public_key":"` + pub + `"}`)
		}, "show", ErrDamaged, `…alice.pub names the key "bob"`},
		{"sidecar uppercase hex", func(t *testing.T, key []byte, pub string) ([]byte, []byte) {
			return nil, []byte(`{"version":1,"alias":"alice","public_key":"` + strings.ToUpper(pub) + `"}`)
		}, "show", ErrDamaged, "…alice.pub does not hold a public key"},
		{"key file too large", func(t *testing.T, key []byte, pub string) ([]byte, []byte) { return bytes.Repeat(key, 200), nil }, "show", nil, "…larger than 65536 bytes"},
		{"wrapped file key altered", func(t *testing.T, key []byte, pub string) ([]byte, []byte) {
			binary := must(io.ReadAll(armor.NewReader(bytes.NewReader(key))))
			lines := bytes.SplitN(binary, []byte("\n"), 4) // version, stanza, body, rest
			body := bytes.Clone(lines[2])
			if body[0] == 'A' {
				body[0] = 'B'
			} else {
				body[0] = 'A'
			}
			return bytes.Join([][]byte{lines[0], lines[1], body, lines[3]}, []byte("\n")), nil
		}, "load", ErrWrongPassphrase, "wrong passphrase for key 'alice'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, home := openStore(t)
			k, err := s.New("alice", pw("pw"), fast)
			if err != nil {
				t.Fatal(err)
			}
			keyPath, pubPath := filepath.Join(home, "keys", "alice.key"), filepath.Join(home, "keys", "alice.pub")
			newKey, newPub := tt.damage(t, must(os.ReadFile(keyPath)), k.PublicKey)
			if newKey != nil {
				os.WriteFile(keyPath, newKey, 0o600)
			}
			if newPub != nil {
				os.WriteFile(pubPath, newPub, 0o600)
			}
			before := snapshot(t, home)
			if tt.op == "show" {
				_, err = s.Show("alice")
				checkErr(t, err, tt.kind, tt.says)
				_, err = s.List()
				checkErr(t, err, tt.kind, tt.says)
			}
			_, err = s.Load("alice", pw("pw"))
			checkErr(t, err, tt.kind, tt.says)
			if snapshot(t, home) != before {
				t.Fatal("the home changed")
			}
		})
	}
}

// TestMissingSidecar: the state a crash between the two writes leaves.
// Show says so; Load opens the key and writes the sidecar again.
func TestMissingSidecar(t *testing.T) {
	s, home := openStore(t)
	k, err := s.New("alice", pw("pw"), fast)
	if err != nil {
		t.Fatal(err)
	}
	pubPath := filepath.Join(home, "keys", "alice.pub")
	want := must(os.ReadFile(pubPath))
	os.Remove(pubPath)
	_, err = s.Show("alice")
	checkErr(t, err, ErrDamaged, "key 'alice': "+pubPath+" is missing; loading the key once with its passphrase writes it again")

	before := snapshot(t, home)
	_, err = s.Load("alice", pw("wrong"))
	checkErr(t, err, ErrWrongPassphrase, "wrong passphrase for key 'alice'")
	if snapshot(t, home) != before {
		t.Fatal("a failed Load changed the home")
	}
	if _, err := s.Load("alice", pw("pw")); err != nil {
		t.Fatal(err)
	}
	if got := must(os.ReadFile(pubPath)); !bytes.Equal(got, want) {
		t.Fatalf("restored sidecar %q, want %q", got, want)
	}
	if info, err := s.Show("alice"); err != nil || info != k.Info {
		t.Fatalf("Show after repair: %+v %v", info, err)
	}

	// An insecure key needs no sidecar to be shown.
	if _, err := s.New("demo", nil, Options{InsecureUnencrypted: true}); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(home, "keys", "demo.pub"))
	if info, err := s.Show("demo"); err != nil || info.Encrypted {
		t.Fatalf("Show of an insecure key without sidecar: %+v %v", info, err)
	}
}

// TestPermissionWarning is the key-file half of finding 11 of issue 10.
//
// Exploit: a key file copied with "cp" or restored from a backup tool
// comes out mode 0644; every user of the machine can then read it (and
// try passphrases offline, or take an unencrypted demo key outright),
// and the CLI used it without a word. ssh refuses such a key; the store
// now names the file, its mode and the fix, for every key that anyone
// but its owner can read or write, or whose directory others can write.
func TestPermissionWarning(t *testing.T) {
	tests := []struct {
		name    string
		file    fs.FileMode
		dir     fs.FileMode
		warns   bool
		insecur bool
	}{
		{"as written", 0o600, 0o700, false, false},
		{"read-only owner", 0o400, 0o700, false, false},
		{"world-readable", 0o644, 0o700, true, false},
		{"group-readable", 0o640, 0o700, true, false},
		{"others may write", 0o602, 0o700, true, false},
		{"world-readable unencrypted", 0o644, 0o700, true, true},
		{"directory listable", 0o600, 0o755, false, false},
		{"directory writable by others", 0o600, 0o777, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, home := openStore(t)
			opts := fast
			var pass Passphrase = pw("pw")
			if tt.insecur {
				opts, pass = Options{InsecureUnencrypted: true}, nil
			}
			if _, err := s.New("ada", pass, opts); err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(home, "keys")
			key := filepath.Join(dir, "ada.key")
			if err := os.Chmod(key, tt.file); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(dir, tt.dir); err != nil {
				t.Fatal(err)
			}
			got := s.PermissionWarning("ada")
			if !tt.warns {
				if got != "" {
					t.Fatalf("warning %q for mode %04o in a %04o directory", got, tt.file, tt.dir)
				}
				return
			}
			path, mode := key, tt.file
			if tt.file&0o077 == 0 {
				path, mode = dir, tt.dir
			}
			for _, want := range []string{"WARNING", path, fmt.Sprintf("%04o", mode), "chmod"} {
				if !strings.Contains(got, want) {
					t.Fatalf("warning %q lacks %q", got, want)
				}
			}
		})
	}
	s, _ := openStore(t)
	if got := s.PermissionWarning("nobody"); got != "" {
		t.Fatalf("a missing key warns %q", got)
	}
}
