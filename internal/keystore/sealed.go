package keystore

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
)

// Sealed secrets are what a key's holder keeps beside the key and never
// publishes, such as a trustee's share of a secret vote's key. Each is
// sealed with AES-256-GCM under a key derived (HKDF-SHA-256) from the
// member's private key and the secret's name, so it opens only with that
// key, and it is stored in HOME/keys/sealed/ALIAS/NAME, mode 0600.

var sealedNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

func (s *Store) sealedPath(alias, name string) (string, error) {
	if err := CheckAlias(alias); err != nil {
		return "", err
	}
	if !sealedNameRE.MatchString(name) {
		return "", fmt.Errorf("sealed secret name %q: use 1 to 128 letters, digits, '.', '-' or '_'", name)
	}
	return filepath.Join(s.dir, "sealed", alias, name), nil
}

func sealingKey(priv ed25519.PrivateKey, name string) (cipher.AEAD, error) {
	k, err := hkdf.Key(sha256.New, priv.Seed(), nil, "folkmoot/keystore/sealed/v1/"+name, 32)
	if err != nil {
		return nil, err
	}
	b, err := aes.NewCipher(k)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

// SealSecret stores plain as the secret name of the key alias, whose
// private key is priv, replacing any earlier one.
func (s *Store) SealSecret(alias, name string, priv ed25519.PrivateKey, plain []byte) error {
	path, err := s.sealedPath(alias, name)
	if err != nil {
		return err
	}
	aead, err := sealingKey(priv, name)
	if err != nil {
		return fmt.Errorf("seal %s: %w", name, err)
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return fmt.Errorf("seal %s: %w", name, err)
	}
	if err := s.ensureDir(); err != nil {
		return fmt.Errorf("seal %s: %w", name, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("seal %s: %w", name, err)
	}
	data := aead.Seal(nonce, nonce, plain, []byte(name))
	if err := writeReplace(path, data); err != nil {
		return fmt.Errorf("seal %s: %w", name, err)
	}
	return syncDir(filepath.Dir(path))
}

// ErrNoSecret is returned by OpenSecret when there is no such secret.
var ErrNoSecret = errors.New("no such sealed secret")

// OpenSecret returns the secret name of the key alias, sealed by
// SealSecret with the same private key; ErrNoSecret if there is none.
func (s *Store) OpenSecret(alias, name string, priv ed25519.PrivateKey) ([]byte, error) {
	path, err := s.sealedPath(alias, name)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s of key '%s': %w", name, alias, ErrNoSecret)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	aead, err := sealingKey(priv, name)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	if len(data) < aead.NonceSize() {
		return nil, fmt.Errorf("open %s: %s is damaged (too short)", name, path)
	}
	plain, err := aead.Open(nil, data[:aead.NonceSize()], data[aead.NonceSize():], []byte(name))
	if err != nil {
		return nil, fmt.Errorf("open %s: %s is damaged or was sealed by another key", name, path)
	}
	return plain, nil
}
