package keystore

import (
	"crypto/ed25519"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestSealedSecrets(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	_, priv, _ := ed25519.GenerateKey(nil)
	_, other, _ := ed25519.GenerateKey(nil)
	if _, err := s.OpenSecret("ada", "trustee-x-1", priv); !errors.Is(err, ErrNoSecret) {
		t.Fatalf("missing secret: %v", err)
	}
	if err := s.SealSecret("ada", "trustee-x-1", priv, []byte("share")); err != nil {
		t.Fatal(err)
	}
	got, err := s.OpenSecret("ada", "trustee-x-1", priv)
	if err != nil || string(got) != "share" {
		t.Fatalf("%q %v", got, err)
	}
	if _, err := s.OpenSecret("ada", "trustee-x-1", other); err == nil {
		t.Fatal("opened with another key")
	}
	path := filepath.Join(s.Dir(), "sealed", "ada", "trustee-x-1")
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v %v", st.Mode(), err)
	}
	data, _ := os.ReadFile(path)
	data[len(data)-1] ^= 1
	os.WriteFile(path, data, 0o600)
	if _, err := s.OpenSecret("ada", "trustee-x-1", priv); err == nil {
		t.Fatal("opened a damaged secret")
	}
	for _, bad := range []string{"", "../x", "a/b", ".hidden"} {
		if err := s.SealSecret("ada", bad, priv, nil); err == nil {
			t.Fatalf("name %q accepted", bad)
		}
	}
}
