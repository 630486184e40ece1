package keystore

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func open(t *testing.T) *Store {
	t.Helper()
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s.WorkFactor = 10 // fast for tests; real keys use age's default
	return s
}

func pass(p string) func() ([]byte, error) { return func() ([]byte, error) { return []byte(p), nil } }

func TestRoundTrip(t *testing.T) {
	s := open(t)
	info, err := s.Generate("ada", []byte("correct horse"), false)
	if err != nil {
		t.Fatal(err)
	}
	if !info.Encrypted || len(info.PublicKey) != 64 {
		t.Fatalf("info %+v", info)
	}
	priv, err := s.Load("ada", pass("correct horse"))
	if err != nil {
		t.Fatal(err)
	}
	if got := priv.Public().(ed25519.PublicKey); !strings.EqualFold(string(hexs(got)), info.PublicKey) {
		t.Fatal("loaded key does not match")
	}
	// The file is age-armored and keeps the seed secret.
	data, _ := os.ReadFile(filepath.Join(s.Dir(), "ada.key"))
	if !bytes.HasPrefix(data, []byte("-----BEGIN AGE ENCRYPTED FILE-----")) || bytes.Contains(data, []byte(hexs(priv.Seed()))) {
		t.Fatal("key file is not an age file or leaks the seed")
	}
	for _, f := range []string{"ada.key", "ada.pub"} {
		st, _ := os.Stat(filepath.Join(s.Dir(), f))
		if st.Mode().Perm() != 0o600 {
			t.Fatalf("%s has mode %v", f, st.Mode().Perm())
		}
	}
	st, _ := os.Stat(s.Dir())
	if st.Mode().Perm() != 0o700 {
		t.Fatalf("keys dir has mode %v", st.Mode().Perm())
	}
	list, err := s.List()
	if err != nil || len(list) != 1 || list[0] != info {
		t.Fatalf("list %+v %v", list, err)
	}
}

func hexs(b []byte) string {
	const d = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, x := range b {
		out = append(out, d[x>>4], d[x&15])
	}
	return string(out)
}

func TestInsecure(t *testing.T) {
	s := open(t)
	info, err := s.Generate("demo", nil, true)
	if err != nil || info.Encrypted {
		t.Fatalf("%+v %v", info, err)
	}
	if !s.IsInsecure("demo") || !strings.Contains(InsecureWarning("demo"), "unencrypted") {
		t.Fatal("insecure key not flagged")
	}
	called := false
	if _, err := s.Load("demo", func() ([]byte, error) { called = true; return nil, nil }); err != nil || called {
		t.Fatalf("load insecure: %v (asked for passphrase: %v)", err, called)
	}
}

func TestErrors(t *testing.T) {
	s := open(t)
	if _, err := s.Generate("ada", []byte("pw"), false); err != nil {
		t.Fatal(err)
	}
	snapshot := func() string {
		var b strings.Builder
		entries, _ := os.ReadDir(s.Dir())
		for _, e := range entries {
			data, _ := os.ReadFile(filepath.Join(s.Dir(), e.Name()))
			b.WriteString(e.Name() + ":" + string(data) + "\n")
		}
		return b.String()
	}
	before := snapshot()
	tests := []struct {
		name string
		run  func() error
		is   error
		says string
	}{
		{"wrong passphrase", func() error { _, err := s.Load("ada", pass("nope")); return err }, ErrWrongPassphrase, `wrong passphrase for key "ada"`},
		{"missing key", func() error { _, err := s.Load("bob", pass("pw")); return err }, ErrNoKey, `no key "bob"`},
		{"duplicate alias", func() error { _, err := s.Generate("ada", []byte("pw"), false); return err }, nil, "already exists"},
		{"bad alias", func() error { _, err := s.Generate("../evil", []byte("pw"), false); return err }, nil, "use 1 to 64 letters"},
		{"empty passphrase", func() error { _, err := s.Generate("cy", nil, false); return err }, nil, "empty passphrase"},
		{"passphrase source fails", func() error {
			_, err := s.Load("ada", func() ([]byte, error) { return nil, errors.New("no terminal") })
			return err
		}, nil, "no terminal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run()
			if err == nil || !strings.Contains(err.Error(), tt.says) || (tt.is != nil && !errors.Is(err, tt.is)) {
				t.Fatalf("error %v, want one saying %q", err, tt.says)
			}
			if snapshot() != before {
				t.Fatal("the keystore changed")
			}
		})
	}
}

func TestCorruptFile(t *testing.T) {
	s := open(t)
	if _, err := s.Generate("ada", []byte("pw"), false); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(s.Dir(), "ada.key")
	data, _ := os.ReadFile(path)
	data[len(data)/2] ^= 0x20
	os.Chmod(path, 0o600)
	os.WriteFile(path, data, 0o600)
	if _, err := s.Load("ada", pass("pw")); err == nil {
		t.Fatal("a damaged key file loaded")
	}
	os.WriteFile(filepath.Join(s.Dir(), "ada.pub"), []byte("zz\n"), 0o600)
	if _, err := s.Show("ada"); err == nil {
		t.Fatal("a damaged public key file was accepted")
	}
}
