// Package keystore keeps members' ed25519 keys in a node home, encrypted
// with age (filippo.io/age) under a passphrase (scrypt).
//
// Layout: HOME/keys/ALIAS.key holds the key, HOME/keys/ALIAS.pub its public
// key in hex (so keys can be listed without a passphrase). The .key file is
// an ASCII-armored age file whose plaintext is the JSON document
//
//	{"version": 1, "alias": "ada", "public_key": "<64 hex>", "seed": "<64 hex>"}
//
// A key stored with the insecure-unencrypted option, for throwaway demos
// only, is that JSON document in the clear with "insecure_unencrypted": true.
// Files are written 0600 in a 0700 directory, atomically, and never
// overwritten.
package keystore

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"filippo.io/age"
	"filippo.io/age/armor"
)

// ErrWrongPassphrase is wrapped by Load when the passphrase does not open
// the key.
var ErrWrongPassphrase = errors.New("wrong passphrase")

// ErrNoKey is wrapped when an alias has no key.
var ErrNoKey = errors.New("no such key")

// Store is the keys directory of one home.
type Store struct {
	dir string
	// WorkFactor is the scrypt work factor (log2 N) for new keys; zero
	// means age's default. Tests lower it.
	WorkFactor int
}

// Open returns the keystore of home, creating HOME/keys (0700) if needed.
func Open(home string) (*Store, error) {
	dir := filepath.Join(home, "keys")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open keystore: %w", err)
	}
	return &Store{dir: dir}, nil
}

// Dir returns the keys directory.
func (s *Store) Dir() string { return s.dir }

var aliasRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// CheckAlias reports whether alias is a valid key name: 1 to 64 letters,
// digits, dots, dashes and underscores, not starting with a dot or dash.
func CheckAlias(alias string) error {
	if !aliasRE.MatchString(alias) {
		return fmt.Errorf("key name %q: use 1 to 64 letters, digits, '.', '-' or '_', starting with a letter or digit", alias)
	}
	return nil
}

// Info describes a stored key without opening it.
type Info struct {
	Alias     string `json:"alias"`
	PublicKey string `json:"public_key"`
	Encrypted bool   `json:"encrypted"`
}

type keyFile struct {
	Version   int    `json:"version"`
	Alias     string `json:"alias"`
	PublicKey string `json:"public_key"`
	Seed      string `json:"seed"`
	Insecure  bool   `json:"insecure_unencrypted,omitempty"`
}

// Generate makes a new key named alias. With passphrase empty and insecure
// true it is stored unencrypted; an empty passphrase is refused otherwise.
func (s *Store) Generate(alias string, passphrase []byte, insecure bool) (Info, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return Info{}, fmt.Errorf("new key %q: %w", alias, err)
	}
	return s.Import(alias, priv, passphrase, insecure)
}

// Import stores an existing private key under alias.
func (s *Store) Import(alias string, priv ed25519.PrivateKey, passphrase []byte, insecure bool) (Info, error) {
	if err := CheckAlias(alias); err != nil {
		return Info{}, err
	}
	if len(passphrase) == 0 && !insecure {
		return Info{}, fmt.Errorf("key %q: an empty passphrase would leave it unprotected (use --insecure-unencrypted only for throwaway demos)", alias)
	}
	keyPath, pubPath := s.paths(alias)
	for _, p := range []string{keyPath, pubPath} {
		if _, err := os.Stat(p); err == nil {
			return Info{}, fmt.Errorf("key %q already exists in %s; choose another name", alias, s.dir)
		}
	}
	pub := hex.EncodeToString(priv.Public().(ed25519.PublicKey))
	doc := keyFile{Version: 1, Alias: alias, PublicKey: pub, Seed: hex.EncodeToString(priv.Seed()), Insecure: insecure && len(passphrase) == 0}
	plain, err := json.Marshal(doc)
	if err != nil {
		return Info{}, err
	}
	data := plain
	if !doc.Insecure {
		if data, err = s.encrypt(plain, passphrase); err != nil {
			return Info{}, fmt.Errorf("encrypt key %q: %w", alias, err)
		}
	}
	if err := writeNew(keyPath, data); err != nil {
		return Info{}, fmt.Errorf("store key %q: %w", alias, err)
	}
	if err := writeNew(pubPath, []byte(pub+"\n")); err != nil {
		os.Remove(keyPath)
		return Info{}, fmt.Errorf("store key %q: %w", alias, err)
	}
	return Info{Alias: alias, PublicKey: pub, Encrypted: !doc.Insecure}, nil
}

func (s *Store) encrypt(plain, passphrase []byte) ([]byte, error) {
	r, err := age.NewScryptRecipient(string(passphrase))
	if err != nil {
		return nil, err
	}
	if s.WorkFactor > 0 {
		r.SetWorkFactor(s.WorkFactor)
	}
	var buf bytes.Buffer
	aw := armor.NewWriter(&buf)
	w, err := age.Encrypt(aw, r)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(plain); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	if err := aw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (s *Store) paths(alias string) (key, pub string) {
	return filepath.Join(s.dir, alias+".key"), filepath.Join(s.dir, alias+".pub")
}

// writeNew writes data to path atomically (temporary file, then a link
// that fails if path exists), mode 0600.
func writeNew(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Link(tmp, path)
}

// List returns the stored keys, sorted by alias.
func (s *Store) List() ([]Info, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("list keys: %w", err)
	}
	var out []Info
	for _, e := range entries {
		alias, ok := strings.CutSuffix(e.Name(), ".key")
		if !ok || CheckAlias(alias) != nil {
			continue
		}
		info, err := s.Show(alias)
		if err != nil {
			return nil, err
		}
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Alias < out[j].Alias })
	return out, nil
}

// Show describes one key without opening it.
func (s *Store) Show(alias string) (Info, error) {
	if err := CheckAlias(alias); err != nil {
		return Info{}, err
	}
	keyPath, pubPath := s.paths(alias)
	head, err := readHead(keyPath)
	if errors.Is(err, os.ErrNotExist) {
		return Info{}, fmt.Errorf("%w: no key %q in %s (make one with \"folkmoot key new %s\")", ErrNoKey, alias, s.dir, alias)
	}
	if err != nil {
		return Info{}, fmt.Errorf("key %q: %w", alias, err)
	}
	pub, err := os.ReadFile(pubPath)
	if err != nil {
		return Info{}, fmt.Errorf("key %q: public key file: %w", alias, err)
	}
	p := strings.TrimSpace(string(pub))
	if b, err := hex.DecodeString(p); err != nil || len(b) != ed25519.PublicKeySize {
		return Info{}, fmt.Errorf("key %q: %s is not a public key", alias, pubPath)
	}
	return Info{Alias: alias, PublicKey: p, Encrypted: bytes.HasPrefix(head, []byte(armor.Header))}, nil
}

func readHead(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf := make([]byte, 64)
	n, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, err
	}
	return buf[:n], nil
}

// IsInsecure reports whether the key is stored unencrypted.
func (s *Store) IsInsecure(alias string) bool {
	info, err := s.Show(alias)
	return err == nil && !info.Encrypted
}

// InsecureWarning is the sentence printed whenever an unencrypted key is used.
func InsecureWarning(alias string) string {
	return fmt.Sprintf("WARNING: key %q is stored unencrypted; use it only for throwaway demos", alias)
}

// Load opens a key. passphrase is asked for only when the key is
// encrypted; a wrong one gives an error wrapping ErrWrongPassphrase.
func (s *Store) Load(alias string, passphrase func() ([]byte, error)) (ed25519.PrivateKey, error) {
	info, err := s.Show(alias)
	if err != nil {
		return nil, err
	}
	keyPath, _ := s.paths(alias)
	data, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, fmt.Errorf("key %q: %w", alias, err)
	}
	plain := data
	if info.Encrypted {
		pass, err := passphrase()
		if err != nil {
			return nil, fmt.Errorf("key %q: %w", alias, err)
		}
		id, err := age.NewScryptIdentity(string(pass))
		if err != nil {
			return nil, fmt.Errorf("key %q: %w", alias, err)
		}
		r, err := age.Decrypt(armor.NewReader(bytes.NewReader(data)), id)
		if err != nil {
			var noMatch *age.NoIdentityMatchError
			if errors.As(err, &noMatch) || strings.Contains(err.Error(), "incorrect passphrase") {
				return nil, fmt.Errorf("%w for key %q", ErrWrongPassphrase, alias)
			}
			return nil, fmt.Errorf("key %q: %s is damaged: %w", alias, keyPath, err)
		}
		if plain, err = io.ReadAll(r); err != nil {
			return nil, fmt.Errorf("key %q: %s is damaged: %w", alias, keyPath, err)
		}
	}
	var doc keyFile
	if err := json.Unmarshal(plain, &doc); err != nil || doc.Version != 1 {
		return nil, fmt.Errorf("key %q: %s is not a folkmoot key file", alias, keyPath)
	}
	seed, err := hex.DecodeString(doc.Seed)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("key %q: %s holds a damaged seed", alias, keyPath)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	if hex.EncodeToString(priv.Public().(ed25519.PublicKey)) != info.PublicKey || doc.PublicKey != info.PublicKey {
		return nil, fmt.Errorf("key %q: the key file and its public key file disagree", alias)
	}
	return priv, nil
}
