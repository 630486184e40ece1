package keystore

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/term"
)

// Passphrase supplies a passphrase when the store needs one. The store
// calls it at most once per operation, only for encrypted keys, and only
// after every other check has passed (so a user is not asked for a
// passphrase for a key that cannot be made anyway). An empty result is
// refused by the store with ErrEmptyPassphrase.
//
// The constructors below cover the usual sources; any func with this
// signature works too.
type Passphrase func() ([]byte, error)

// StaticPassphrase returns a Passphrase that always gives a copy of p.
func StaticPassphrase(p []byte) Passphrase {
	p = bytes.Clone(p)
	return func() ([]byte, error) { return bytes.Clone(p), nil }
}

// EnvPassphrase returns a Passphrase read from the environment variable
// name (for example FOLKMOOT_PASSPHRASE) when it is called. An unset
// variable gives an error matching ErrNoPassphrase; a set but empty one
// gives an empty passphrase, which the store refuses.
func EnvPassphrase(name string) Passphrase {
	return func() ([]byte, error) {
		v, ok := os.LookupEnv(name)
		if !ok {
			return nil, errorf(ErrNoPassphrase, "$%s is not set", name)
		}
		return []byte(v), nil
	}
}

// FilePassphrase returns a Passphrase read from the first line of the file
// at path, without its line ending ("\n" or "\r\n"); nothing else is
// trimmed, so spaces are part of the passphrase. A missing or unreadable
// file is an error (not ErrNoPassphrase: the user named the file).
func FilePassphrase(path string) Passphrase {
	return func() ([]byte, error) {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read passphrase file: %w", err)
		}
		line, _, _ := bytes.Cut(b, []byte("\n"))
		return bytes.TrimSuffix(line, []byte("\r")), nil
	}
}

// PromptPassphrase returns a Passphrase asked for on the terminal tty
// (typically /dev/tty opened read-write) without echo: label is printed
// followed by ": ". With confirm, used when making a key, it is asked a
// second time and the two must match (ErrPassphraseMismatch otherwise). If
// tty is nil or not a terminal the error matches ErrNoPassphrase.
func PromptPassphrase(tty *os.File, label string, confirm bool) Passphrase {
	return func() ([]byte, error) {
		if tty == nil || !term.IsTerminal(int(tty.Fd())) {
			name := "standard input"
			if tty != nil {
				name = tty.Name()
			}
			return nil, errorf(ErrNoPassphrase, "cannot ask for the passphrase: %s is not a terminal", name)
		}
		p, err := readHidden(tty, label+": ")
		if err != nil {
			return nil, err
		}
		if !confirm {
			return p, nil
		}
		again, err := readHidden(tty, "Repeat the passphrase to confirm: ")
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(p, again) {
			return nil, errorf(ErrPassphraseMismatch, "the two passphrases differ")
		}
		return p, nil
	}
}

func readHidden(tty *os.File, prompt string) ([]byte, error) {
	if _, err := fmt.Fprint(tty, prompt); err != nil {
		return nil, fmt.Errorf("ask for the passphrase: %w", err)
	}
	p, err := term.ReadPassword(int(tty.Fd()))
	// The user's Enter was not echoed either; end the prompt's line.
	fmt.Fprintln(tty)
	if err != nil {
		return nil, fmt.Errorf("read the passphrase: %w", err)
	}
	return p, nil
}

// FirstPassphrase returns a Passphrase that tries the sources in order and
// gives the first one's answer, skipping those that fail with
// ErrNoPassphrase (an unset variable, no terminal). Any other failure ends
// the search. If every source is unavailable the error matches
// ErrNoPassphrase and lists why.
func FirstPassphrase(sources ...Passphrase) Passphrase {
	return func() ([]byte, error) {
		var why []string
		for _, src := range sources {
			if src == nil {
				continue
			}
			p, err := src()
			if err == nil {
				return p, nil
			}
			if !errors.Is(err, ErrNoPassphrase) {
				return nil, err
			}
			why = append(why, err.Error())
		}
		if len(why) == 0 {
			return nil, errorf(ErrNoPassphrase, "no passphrase source")
		}
		return nil, errorf(ErrNoPassphrase, "no passphrase: %s", strings.Join(why, "; "))
	}
}
