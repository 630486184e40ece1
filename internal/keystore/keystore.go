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
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"

	"filippo.io/age"
	"filippo.io/age/armor"
)

// FormatVersion is the version of the key file and sidecar documents.
const FormatVersion = 1

// MaxWorkFactor is the largest scrypt work factor (log2 N) New and Import
// accept: the largest age's scrypt identity opens by default, so every key
// this package makes can be opened again.
const MaxWorkFactor = 22

// maxKeyFile bounds what is read of a key or sidecar file; ours are a few
// hundred bytes.
const maxKeyFile = 64 << 10

// Store is the keys directory of one home. Its methods may be called from
// several goroutines and processes at once: creating an alias is atomic
// and never overwrites.
type Store struct {
	dir string
}

// Open returns the keystore of home, whose keys live in HOME/keys. It
// creates nothing: the directory is made (mode 0700) by the first New or
// Import, and a home without one simply has no keys. home must not be
// empty, and if home or HOME/keys exists it must be a directory.
func Open(home string) (*Store, error) {
	if home == "" {
		return nil, errors.New("open keystore: no home directory given")
	}
	dir := filepath.Join(home, "keys")
	for _, p := range []string{home, dir} {
		st, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("open keystore: %w", err)
		}
		if !st.IsDir() {
			return nil, fmt.Errorf("open keystore: %s is not a directory", p)
		}
	}
	return &Store{dir: dir}, nil
}

// Dir returns the keys directory, HOME/keys.
func (s *Store) Dir() string { return s.dir }

var aliasRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// CheckAlias returns an error matching ErrBadAlias unless alias is a valid
// key name: 1 to 64 ASCII letters, digits, '.', '-' or '_', starting with
// a letter or digit. So an alias is never a path, never hidden, never
// taken for a command-line flag.
func CheckAlias(alias string) error {
	if !aliasRE.MatchString(alias) {
		return errorf(ErrBadAlias, "bad key name %q: use 1 to 64 letters, digits, '.', '-' or '_', starting with a letter or digit", alias)
	}
	return nil
}

// Info describes a stored key; it is read without the passphrase.
type Info struct {
	Alias     string `json:"alias"`
	PublicKey string `json:"public_key"` // 64 lowercase hex digits
	Encrypted bool   `json:"encrypted"`  // false only for insecure-unencrypted keys
	Created   string `json:"created,omitempty"`
}

// Key is a key just made or imported: its description and the private key
// itself, so the caller can use it without asking for the passphrase
// again. The private key is never marshalled to JSON.
type Key struct {
	Info
	PrivateKey ed25519.PrivateKey `json:"-"`
}

// Options tune how New and Import store a key.
type Options struct {
	// InsecureUnencrypted stores the key in the clear, marked
	// "insecure_unencrypted": true, for throwaway demos only; the
	// Passphrase is then not consulted and may be nil.
	InsecureUnencrypted bool
	// Created is recorded in the key file and sidecar as given, typically
	// the creation time in RFC 3339; the package reads no clock.
	Created string
	// WorkFactor is the scrypt work factor (log2 N), 1 to MaxWorkFactor;
	// zero means age's default (18, about a second). Only tests should
	// lower it: each step down halves the cost of guessing passphrases.
	WorkFactor int
}

// keyDoc is the plaintext of a key file.
type keyDoc struct {
	Version   int    `json:"version"`
	Alias     string `json:"alias"`
	PublicKey string `json:"public_key"`
	Seed      string `json:"seed"`
	Created   string `json:"created"`
	Insecure  bool   `json:"insecure_unencrypted,omitempty"`
}

// pubDoc is the sidecar.
type pubDoc struct {
	Version   int    `json:"version"`
	Alias     string `json:"alias"`
	PublicKey string `json:"public_key"`
	Created   string `json:"created"`
}

// New makes a new ed25519 key named alias and stores it, encrypted under
// the passphrase pass gives (asked for once, after the alias is known to
// be free), or in the clear with opts.InsecureUnencrypted. It refuses an
// invalid alias (ErrBadAlias), an alias in use (ErrKeyExists, the existing
// key untouched), and an empty passphrase (ErrEmptyPassphrase).
func (s *Store) New(alias string, pass Passphrase, opts Options) (Key, error) {
	seed := make([]byte, ed25519.SeedSize)
	if _, err := rand.Read(seed); err != nil {
		return Key{}, fmt.Errorf("new key '%s': %w", alias, err)
	}
	return s.create(alias, seed, pass, opts)
}

// Import stores an existing key, given by its 32-byte ed25519 seed (see
// ed25519.PrivateKey.Seed), under alias, exactly as New stores a new one.
func (s *Store) Import(alias string, seed []byte, pass Passphrase, opts Options) (Key, error) {
	if len(seed) != ed25519.SeedSize {
		return Key{}, fmt.Errorf("import key '%s': a seed is %d bytes, not %d", alias, ed25519.SeedSize, len(seed))
	}
	return s.create(alias, bytes.Clone(seed), pass, opts)
}

// Generate makes a new key like New, encrypted under passphrase unless
// insecure is set.
//
// Deprecated: use New, which takes a Passphrase source and Options.
func (s *Store) Generate(alias string, passphrase []byte, insecure bool) (Info, error) {
	k, err := s.New(alias, StaticPassphrase(passphrase), Options{InsecureUnencrypted: insecure})
	return k.Info, err
}

func (s *Store) create(alias string, seed []byte, pass Passphrase, opts Options) (Key, error) {
	if err := CheckAlias(alias); err != nil {
		return Key{}, err
	}
	if opts.WorkFactor < 0 || opts.WorkFactor > MaxWorkFactor {
		return Key{}, fmt.Errorf("key '%s': scrypt work factor %d is outside 1 to %d", alias, opts.WorkFactor, MaxWorkFactor)
	}
	keyPath, pubPath := s.paths(alias)
	if err := s.checkFree(alias, keyPath); err != nil {
		return Key{}, err
	}
	priv := ed25519.NewKeyFromSeed(seed)
	pub := hex.EncodeToString(priv.Public().(ed25519.PublicKey))
	doc := keyDoc{Version: FormatVersion, Alias: alias, PublicKey: pub, Seed: hex.EncodeToString(seed), Created: opts.Created, Insecure: opts.InsecureUnencrypted}
	plain, err := json.Marshal(doc)
	if err != nil {
		return Key{}, fmt.Errorf("key '%s': encode: %w", alias, err)
	}
	data := append(plain, '\n')
	if !opts.InsecureUnencrypted {
		if pass == nil {
			return Key{}, errorf(ErrNoPassphrase, "key '%s': no passphrase source", alias)
		}
		p, err := pass()
		if err != nil {
			return Key{}, fmt.Errorf("passphrase for key '%s': %w", alias, err)
		}
		if len(p) == 0 {
			return Key{}, errorf(ErrEmptyPassphrase, "empty passphrase refused for key '%s': an encrypted key needs a passphrase", alias)
		}
		if data, err = encrypt(plain, p, opts.WorkFactor); err != nil {
			return Key{}, fmt.Errorf("encrypt key '%s': %w", alias, err)
		}
	}
	side, err := json.Marshal(pubDoc{Version: FormatVersion, Alias: alias, PublicKey: pub, Created: opts.Created})
	if err != nil {
		return Key{}, fmt.Errorf("key '%s': encode: %w", alias, err)
	}
	if err := s.ensureDir(); err != nil {
		return Key{}, fmt.Errorf("store key '%s': %w", alias, err)
	}
	if err := writeNew(keyPath, data); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return Key{}, s.existsError(alias)
		}
		return Key{}, fmt.Errorf("store key '%s': %w", alias, err)
	}
	if err := writeReplace(pubPath, append(side, '\n')); err != nil {
		// Leave the home as it was: the key file is ours, made just now.
		os.Remove(keyPath)
		return Key{}, fmt.Errorf("store key '%s': %w", alias, err)
	}
	if err := syncDir(s.dir); err != nil {
		return Key{}, fmt.Errorf("store key '%s': %w", alias, err)
	}
	return Key{
		Info:       Info{Alias: alias, PublicKey: pub, Encrypted: !opts.InsecureUnencrypted, Created: opts.Created},
		PrivateKey: priv,
	}, nil
}

func (s *Store) checkFree(alias, keyPath string) error {
	_, err := os.Lstat(keyPath)
	switch {
	case err == nil:
		return s.existsError(alias)
	case errors.Is(err, fs.ErrNotExist):
		return nil
	default:
		return fmt.Errorf("key '%s': %w", alias, err)
	}
}

func (s *Store) existsError(alias string) error {
	return errorf(ErrKeyExists, "key '%s' already exists in %s; it was left untouched (choose another name)", alias, s.dir)
}

func encrypt(plain, passphrase []byte, workFactor int) ([]byte, error) {
	r, err := age.NewScryptRecipient(string(passphrase))
	if err != nil {
		return nil, err
	}
	if workFactor > 0 {
		r.SetWorkFactor(workFactor)
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

// ensureDir makes the keys directory 0700, tightening it if it exists
// with wider permissions: it holds secrets.
func (s *Store) ensureDir() error {
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return err
	}
	st, err := os.Stat(s.dir)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return fmt.Errorf("%s is not a directory", s.dir)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return os.Chmod(s.dir, st.Mode().Perm()&0o700)
	}
	return nil
}

// writeTemp writes data to a synced temporary file, mode 0600, beside
// path, and returns its name.
func writeTemp(path string, data []byte) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return "", err
	}
	tmp := f.Name()
	err = f.Chmod(0o600)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return "", err
	}
	return tmp, nil
}

// writeNew writes data to path atomically and only if path does not
// exist: the temporary file is hard-linked to path, which fails with
// fs.ErrExist if another writer got there first.
func writeNew(path string, data []byte) error {
	tmp, err := writeTemp(path, data)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	err = os.Link(tmp, path)
	if err == nil || errors.Is(err, fs.ErrExist) {
		return err
	}
	// A file system without hard links: fall back to a rename after a
	// last check (no longer atomic against a concurrent writer).
	if _, serr := os.Lstat(path); serr == nil {
		return fs.ErrExist
	}
	return os.Rename(tmp, path)
}

// writeReplace writes data to path atomically, replacing any old file.
func writeReplace(path string, data []byte) error {
	tmp, err := writeTemp(path, data)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, fs.ErrInvalid) {
		return err
	}
	return nil
}

// List returns every stored key, sorted by alias, without a passphrase. A
// home without a keys directory has none. A damaged key makes List fail
// with that key's error rather than hide it.
func (s *Store) List() ([]Info, error) {
	entries, err := os.ReadDir(s.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return []Info{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list keys: %w", err)
	}
	out := []Info{}
	for _, e := range entries {
		alias, ok := strings.CutSuffix(e.Name(), ".key")
		if !ok || CheckAlias(alias) != nil {
			continue
		}
		info, err := s.Show(alias)
		if err != nil {
			return nil, fmt.Errorf("list keys: %w", err)
		}
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Alias < out[j].Alias })
	return out, nil
}

// Show describes one key without its passphrase: a *NoKeyError if there
// is none, ErrDamaged if its files are not what this package writes.
func (s *Store) Show(alias string) (Info, error) {
	if err := CheckAlias(alias); err != nil {
		return Info{}, err
	}
	data, err := s.readKey(alias)
	if err != nil {
		return Info{}, err
	}
	kind, doc, err := s.classify(alias, data)
	if err != nil {
		return Info{}, err
	}
	side, err := s.readSidecar(alias)
	switch {
	case err == nil:
		if kind == plainKey && side.PublicKey != doc.PublicKey {
			return Info{}, s.damaged(alias, ".pub", "holds another public key than the key file")
		}
		return Info{Alias: alias, PublicKey: side.PublicKey, Encrypted: kind != plainKey, Created: side.Created}, nil
	case errors.Is(err, fs.ErrNotExist) && kind == plainKey:
		return Info{Alias: alias, PublicKey: doc.PublicKey, Encrypted: false, Created: doc.Created}, nil
	case errors.Is(err, fs.ErrNotExist):
		return Info{}, s.damaged(alias, ".pub", "is missing; loading the key once with its passphrase writes it again")
	default:
		return Info{}, err
	}
}

// IsInsecure reports whether the key is stored unencrypted (false if it
// cannot be read at all).
func (s *Store) IsInsecure(alias string) bool {
	info, err := s.Show(alias)
	return err == nil && !info.Encrypted
}

// InsecureWarning is the sentence to print every time an unencrypted key
// is made or used.
func InsecureWarning(alias string) string {
	return fmt.Sprintf("WARNING: key '%s' is stored unencrypted; use it only for throwaway demos", alias)
}

// PermissionWarning returns the sentence to print whenever the key alias
// is shown or used while users other than its owner can read or write its
// key file (any group or other permission bit, the test ssh applies to a
// private key), or write its directory (and so replace the file). It is
// empty when the modes are as this package writes them, and when there is
// no such key. The store never loosens a mode; a mode like 0644 comes from
// a copy, an archive or an editor, so a warning names the file and the
// fix rather than changing the mode behind the user's back.
func (s *Store) PermissionWarning(alias string) string {
	if runtime.GOOS == "windows" || CheckAlias(alias) != nil {
		return "" // Windows has ACLs, not these bits
	}
	keyPath, _ := s.paths(alias)
	st, err := os.Stat(keyPath)
	if err != nil {
		return ""
	}
	if m := st.Mode().Perm(); m&0o077 != 0 {
		return fmt.Sprintf("WARNING: key file %s has mode %04o: other users of this machine can read or change it; run \"chmod 600 %s\"", keyPath, m, keyPath)
	}
	if st, err := os.Stat(s.dir); err == nil && st.Mode().Perm()&0o022 != 0 {
		return fmt.Sprintf("WARNING: keys directory %s has mode %04o: other users of this machine can replace key '%s'; run \"chmod 700 %s\"", s.dir, st.Mode().Perm(), alias, s.dir)
	}
	return ""
}

// Load opens a key and returns its private key. pass is called only for an
// encrypted key; a passphrase that does not open it gives a
// *WrongPassphraseError ("wrong passphrase for key 'ada'"), a missing key a
// *NoKeyError. Load changes nothing on disk, except that it writes a
// missing public sidecar again once the key has opened.
func (s *Store) Load(alias string, pass Passphrase) (ed25519.PrivateKey, error) {
	if err := CheckAlias(alias); err != nil {
		return nil, err
	}
	data, err := s.readKey(alias)
	if err != nil {
		return nil, err
	}
	kind, doc, err := s.classify(alias, data)
	if err != nil {
		return nil, err
	}
	side, sideErr := s.readSidecar(alias)
	if sideErr != nil && !errors.Is(sideErr, fs.ErrNotExist) {
		return nil, sideErr
	}
	if kind != plainKey {
		if pass == nil {
			return nil, errorf(ErrNoPassphrase, "key '%s' is encrypted and no passphrase source was given", alias)
		}
		p, err := pass()
		if err != nil {
			return nil, fmt.Errorf("passphrase for key '%s': %w", alias, err)
		}
		if len(p) == 0 {
			return nil, errorf(ErrEmptyPassphrase, "empty passphrase for key '%s'", alias)
		}
		if doc, err = s.decrypt(alias, kind, data, p); err != nil {
			return nil, err
		}
	}
	priv, err := s.check(alias, doc)
	if err != nil {
		return nil, err
	}
	if sideErr == nil && side.PublicKey != doc.PublicKey {
		return nil, s.damaged(alias, ".pub", "holds another public key than the key file")
	}
	if sideErr != nil {
		// The sidecar of a write cut short: restore it. Failing to is not
		// a reason to refuse a key that opened, and the next Load tries
		// again.
		if side, err := json.Marshal(pubDoc{Version: FormatVersion, Alias: alias, PublicKey: doc.PublicKey, Created: doc.Created}); err == nil {
			_, pubPath := s.paths(alias)
			_ = writeReplace(pubPath, append(side, '\n'))
		}
	}
	return priv, nil
}

type keyKind int

const (
	plainKey keyKind = iota
	armoredAge
	binaryAge
)

func (s *Store) readKey(alias string) ([]byte, error) {
	keyPath, _ := s.paths(alias)
	data, err := readSmall(keyPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &NoKeyError{Alias: alias, Dir: s.dir}
	}
	if err != nil {
		return nil, fmt.Errorf("key '%s': %w", alias, err)
	}
	return data, nil
}

func readSmall(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxKeyFile {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, maxKeyFile)
	}
	return data, nil
}

// classify tells an age file from a plaintext key; for the latter it also
// returns the parsed document.
func (s *Store) classify(alias string, data []byte) (keyKind, keyDoc, error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	switch {
	case bytes.HasPrefix(trimmed, []byte(armor.Header)):
		return armoredAge, keyDoc{}, nil
	case bytes.HasPrefix(data, []byte("age-encryption.org/")):
		return binaryAge, keyDoc{}, nil
	case bytes.HasPrefix(trimmed, []byte("{")):
		var doc keyDoc
		if err := json.Unmarshal(data, &doc); err != nil {
			return 0, keyDoc{}, s.damaged(alias, ".key", "is neither an age file nor a key document")
		}
		if !doc.Insecure {
			return 0, keyDoc{}, s.damaged(alias, ".key", "is a plaintext key not marked insecure_unencrypted")
		}
		return plainKey, doc, nil
	default:
		return 0, keyDoc{}, s.damaged(alias, ".key", "is neither an age file nor a key document")
	}
}

func (s *Store) decrypt(alias string, kind keyKind, data, passphrase []byte) (keyDoc, error) {
	id, err := age.NewScryptIdentity(string(passphrase))
	if err != nil {
		return keyDoc{}, fmt.Errorf("key '%s': %w", alias, err)
	}
	var src io.Reader = bytes.NewReader(data)
	if kind == armoredAge {
		src = armor.NewReader(src)
	}
	r, err := age.Decrypt(src, id)
	if err != nil {
		// age reports a passphrase that fails to unwrap the file key as
		// ErrIncorrectIdentity "incorrect passphrase"; other failures
		// (bad header, header MAC, a file for other recipients) mean the
		// file is damaged.
		if errors.Is(err, age.ErrIncorrectIdentity) && strings.Contains(err.Error(), "incorrect passphrase") {
			return keyDoc{}, &WrongPassphraseError{Alias: alias}
		}
		return keyDoc{}, s.damagedErr(alias, ".key", err)
	}
	plain, err := io.ReadAll(io.LimitReader(r, maxKeyFile))
	if err != nil {
		return keyDoc{}, s.damagedErr(alias, ".key", err)
	}
	var doc keyDoc
	if err := json.Unmarshal(plain, &doc); err != nil {
		return keyDoc{}, s.damaged(alias, ".key", "does not hold a key document")
	}
	if doc.Insecure {
		return keyDoc{}, s.damaged(alias, ".key", "is encrypted but marked insecure_unencrypted")
	}
	return doc, nil
}

// check verifies a key document against its alias and returns the key.
func (s *Store) check(alias string, doc keyDoc) (ed25519.PrivateKey, error) {
	if doc.Version != FormatVersion {
		return nil, s.damaged(alias, ".key", fmt.Sprintf("has format version %d; this folkmoot reads version %d", doc.Version, FormatVersion))
	}
	if doc.Alias != alias {
		return nil, s.damaged(alias, ".key", fmt.Sprintf("holds the key named %q (key files cannot be renamed by hand)", doc.Alias))
	}
	seed, err := hex.DecodeString(doc.Seed)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, s.damaged(alias, ".key", "holds a damaged seed")
	}
	priv := ed25519.NewKeyFromSeed(seed)
	if hex.EncodeToString(priv.Public().(ed25519.PublicKey)) != doc.PublicKey {
		return nil, s.damaged(alias, ".key", "holds a public key that does not match its seed")
	}
	return priv, nil
}

// readSidecar reads ALIAS.pub; an error matching fs.ErrNotExist means it
// is missing, any other that it is damaged.
func (s *Store) readSidecar(alias string) (pubDoc, error) {
	_, pubPath := s.paths(alias)
	data, err := readSmall(pubPath)
	if errors.Is(err, fs.ErrNotExist) {
		return pubDoc{}, err
	}
	if err != nil {
		return pubDoc{}, fmt.Errorf("key '%s': %w", alias, err)
	}
	var doc pubDoc
	if line := strings.TrimSpace(string(data)); isPublicHex(line) {
		doc = pubDoc{Version: FormatVersion, Alias: alias, PublicKey: line}
	} else if err := json.Unmarshal(data, &doc); err != nil {
		return pubDoc{}, s.damaged(alias, ".pub", "is not a public key file")
	}
	switch {
	case doc.Version != FormatVersion:
		return pubDoc{}, s.damaged(alias, ".pub", fmt.Sprintf("has format version %d; this folkmoot reads version %d", doc.Version, FormatVersion))
	case doc.Alias != alias:
		return pubDoc{}, s.damaged(alias, ".pub", fmt.Sprintf("names the key %q", doc.Alias))
	case !isPublicHex(doc.PublicKey):
		return pubDoc{}, s.damaged(alias, ".pub", "does not hold a public key")
	}
	return doc, nil
}

func isPublicHex(s string) bool {
	b, err := hex.DecodeString(s)
	return err == nil && len(b) == ed25519.PublicKeySize && hex.EncodeToString(b) == s
}

func (s *Store) damaged(alias, ext, why string) error {
	return errorf(ErrDamaged, "key '%s': %s %s", alias, filepath.Join(s.dir, alias+ext), why)
}

func (s *Store) damagedErr(alias, ext string, err error) error {
	return wrapf(ErrDamaged, err, "key '%s': %s is damaged", alias, filepath.Join(s.dir, alias+ext))
}
