package keystore

import (
	"errors"
	"fmt"
)

// Kinds of failure, for errors.Is. Every error the package returns says
// what happened in a sentence of its own; these only classify it.
var (
	// ErrWrongPassphrase: the passphrase does not open the key or backup.
	// The error is a *WrongPassphraseError.
	ErrWrongPassphrase = errors.New("wrong passphrase")
	// ErrNoKey: no key has that alias. The error is a *NoKeyError.
	ErrNoKey = errors.New("no such key")
	// ErrKeyExists: a key with that alias is already stored.
	ErrKeyExists = errors.New("key already exists")
	// ErrBadAlias: the alias is not a valid key name (see CheckAlias).
	ErrBadAlias = errors.New("bad key name")
	// ErrEmptyPassphrase: an encrypted key or a backup needs a non-empty
	// passphrase.
	ErrEmptyPassphrase = errors.New("empty passphrase")
	// ErrNoPassphrase: a passphrase source has nothing to give (an unset
	// environment variable, no terminal). FirstPassphrase moves on to the
	// next source when it sees one.
	ErrNoPassphrase = errors.New("no passphrase")
	// ErrPassphraseMismatch: the passphrase and its confirmation differ.
	ErrPassphraseMismatch = errors.New("passphrases differ")
	// ErrDamaged: a key file or sidecar is not what this package writes.
	ErrDamaged = errors.New("damaged key file")
	// ErrBadBackup: the data is not a well-formed folkmoot key backup.
	ErrBadBackup = errors.New("not a folkmoot key backup")
)

// WrongPassphraseError is returned when a passphrase does not open a key
// (Alias set) or a key backup (Alias empty). It matches ErrWrongPassphrase.
//
// For age and AES-GCM alike a wrong passphrase and an altered wrapped key
// are indistinguishable, so a damaged file may also give this error.
type WrongPassphraseError struct {
	Alias string
}

// Error says "wrong passphrase for key 'ALIAS'".
func (e *WrongPassphraseError) Error() string {
	if e.Alias == "" {
		return "wrong passphrase for the key backup, or the backup was altered"
	}
	return fmt.Sprintf("wrong passphrase for key '%s'", e.Alias)
}

// Is makes errors.Is(err, ErrWrongPassphrase) true.
func (e *WrongPassphraseError) Is(target error) bool { return target == ErrWrongPassphrase }

// NoKeyError is returned when no key has the alias. It matches ErrNoKey.
type NoKeyError struct {
	Alias string
	Dir   string // the keys directory, HOME/keys
}

// Error says "no key 'ALIAS' in HOME/keys".
func (e *NoKeyError) Error() string {
	return fmt.Sprintf("no key '%s' in %s", e.Alias, e.Dir)
}

// Is makes errors.Is(err, ErrNoKey) true.
func (e *NoKeyError) Is(target error) bool { return target == ErrNoKey }

// kindError is a sentence for a person, classified by one of the Err
// kinds, optionally wrapping the cause.
type kindError struct {
	kind error
	msg  string
	err  error
}

func (e *kindError) Error() string {
	if e.err != nil {
		return e.msg + ": " + e.err.Error()
	}
	return e.msg
}

func (e *kindError) Unwrap() []error {
	if e.err != nil {
		return []error{e.kind, e.err}
	}
	return []error{e.kind}
}

// errorf makes an error of the given kind with a sentence of its own.
func errorf(kind error, format string, args ...any) error {
	return &kindError{kind: kind, msg: fmt.Sprintf(format, args...)}
}

// wrapf is errorf with a cause, appended after a colon.
func wrapf(kind error, err error, format string, args ...any) error {
	return &kindError{kind: kind, msg: fmt.Sprintf(format, args...), err: err}
}
