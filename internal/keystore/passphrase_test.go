package keystore

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestPassphraseSources(t *testing.T) {
	dir := t.TempDir()
	file := func(content string) string {
		p := filepath.Join(dir, "pass"+content)
		if len(content) > 20 {
			p = filepath.Join(dir, "long")
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	t.Setenv("FOLKMOOT_TEST_PASS", "from the environment")
	t.Setenv("FOLKMOOT_TEST_EMPTY", "")
	unavailable := func() ([]byte, error) { return nil, errorf(ErrNoPassphrase, "nothing here") }
	broken := func() ([]byte, error) { return nil, errors.New("broken") }

	tests := []struct {
		name string
		src  Passphrase
		want string
		kind error  // expected error kind, if an error is expected
		says string // expected error sentence
	}{
		{"static", StaticPassphrase([]byte("s3cret")), "s3cret", nil, ""},
		{"env", EnvPassphrase("FOLKMOOT_TEST_PASS"), "from the environment", nil, ""},
		{"env empty", EnvPassphrase("FOLKMOOT_TEST_EMPTY"), "", nil, ""},
		{"env unset", EnvPassphrase("FOLKMOOT_TEST_UNSET_VARIABLE"), "", ErrNoPassphrase, "$FOLKMOOT_TEST_UNSET_VARIABLE is not set"},
		{"file first line", FilePassphrase(file("first\nsecond\n")), "first", nil, ""},
		{"file crlf", FilePassphrase(file("dos\r\n")), "dos", nil, ""},
		{"file no newline", FilePassphrase(file("bare")), "bare", nil, ""},
		{"file keeps spaces", FilePassphrase(file(" spaced out  \n")), " spaced out  ", nil, ""},
		{"file empty", FilePassphrase(file("")), "", nil, ""},
		{"file missing", FilePassphrase(filepath.Join(dir, "nope")), "", nil, "read passphrase file: open " + filepath.Join(dir, "nope") + ": no such file or directory"},
		{"prompt without terminal", PromptPassphrase(must(os.Open(file("x"))), "Passphrase", false), "", ErrNoPassphrase,
			"cannot ask for the passphrase: " + filepath.Join(dir, "passx") + " is not a terminal"},
		{"prompt nil", PromptPassphrase(nil, "Passphrase", false), "", ErrNoPassphrase, "cannot ask for the passphrase: standard input is not a terminal"},
		{"first skips unavailable", FirstPassphrase(nil, unavailable, EnvPassphrase("FOLKMOOT_TEST_UNSET_VARIABLE"), EnvPassphrase("FOLKMOOT_TEST_PASS"), broken), "from the environment", nil, ""},
		{"first stops at a failure", FirstPassphrase(unavailable, broken, StaticPassphrase([]byte("x"))), "", nil, "broken"},
		{"first none available", FirstPassphrase(unavailable, EnvPassphrase("FOLKMOOT_TEST_UNSET_VARIABLE")), "", ErrNoPassphrase,
			"no passphrase: nothing here; $FOLKMOOT_TEST_UNSET_VARIABLE is not set"},
		{"first of nothing", FirstPassphrase(), "", ErrNoPassphrase, "no passphrase source"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.src()
			if tt.says != "" {
				checkErr(t, err, tt.kind, tt.says)
				return
			}
			if err != nil || string(got) != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestStaticPassphraseCopies(t *testing.T) {
	p := []byte("abc")
	src := StaticPassphrase(p)
	p[0] = 'x'
	got, _ := src()
	got[1] = 'y'
	if again, _ := src(); string(again) != "abc" {
		t.Fatalf("StaticPassphrase shares memory with its caller: %q", again)
	}
}
