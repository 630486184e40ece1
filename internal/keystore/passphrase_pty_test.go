//go:build linux

package keystore

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal pair, or skips the test where there is
// none (a container without devpts).
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	fd := int(m.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		m.Close()
		t.Skipf("unlock pseudo-terminal: %v", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		m.Close()
		t.Skipf("pseudo-terminal number: %v", err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		t.Skipf("open pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { s.Close(); m.Close() })
	return m, s
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// TestPromptPassphrase types on a real pseudo-terminal and checks that
// nothing typed is echoed.
func TestPromptPassphrase(t *testing.T) {
	tests := []struct {
		name    string
		confirm bool
		typed   []string
		want    string
		says    string
	}{
		{"once", false, []string{"s3cret horse"}, "s3cret horse", ""},
		{"confirmed", true, []string{"s3cret horse", "s3cret horse"}, "s3cret horse", ""},
		{"confirmation differs", true, []string{"s3cret horse", "s3cret hose"}, "", "the two passphrases differ"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			master, slave := openPTY(t)
			var screen syncBuffer
			go io.Copy(&screen, master)
			type result struct {
				p   []byte
				err error
			}
			done := make(chan result, 1)
			go func() {
				p, err := PromptPassphrase(slave, "Passphrase for new key 'alice'", tt.confirm)()
				done <- result{p, err}
			}()
			prompts := []string{"Passphrase for new key 'alice': ", "Repeat the passphrase to confirm: "}
			for i, line := range tt.typed {
				// Type only once the prompt is shown and echo is off, as a
				// person would.
				waitFor(t, func() bool {
					tio, err := unix.IoctlGetTermios(int(slave.Fd()), unix.TCGETS)
					return err == nil && tio.Lflag&unix.ECHO == 0 && strings.Contains(screen.String(), prompts[i])
				})
				if _, err := master.Write([]byte(line + "\n")); err != nil {
					t.Fatal(err)
				}
			}
			var r result
			select {
			case r = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("the prompt did not return")
			}
			if tt.says != "" {
				checkErr(t, r.err, ErrPassphraseMismatch, tt.says)
			} else if r.err != nil || string(r.p) != tt.want {
				t.Fatalf("got %q, %v; want %q", r.p, r.err, tt.want)
			}
			tio, err := unix.IoctlGetTermios(int(slave.Fd()), unix.TCGETS)
			if err != nil || tio.Lflag&unix.ECHO == 0 {
				t.Fatal("echo was not switched back on")
			}
			time.Sleep(50 * time.Millisecond) // let the last output arrive
			if s := screen.String(); strings.Contains(s, "s3cret") || strings.Contains(s, "hose") {
				t.Fatalf("the passphrase was echoed: %q", s)
			}
		})
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("timed out")
}
