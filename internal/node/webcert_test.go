package node

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestWriteWebCertNames(t *testing.T) {
	cases := []struct {
		name  string
		hosts []string
		names []string
		err   string
	}{
		{"loopback only", nil, []string{"localhost", "127.0.0.1", "::1"}, ""},
		{"names and addresses", []string{"Elm.Example", " 10.0.0.5 ", "*.elm.example", "fd00::1"},
			[]string{"localhost", "elm.example", "*.elm.example", "127.0.0.1", "::1", "10.0.0.5", "fd00::1"}, ""},
		{"a URL", []string{"https://elm.example"}, nil, `"https://elm.example" is neither a host name nor an IP address`},
		{"a port", []string{"elm.example:8443"}, nil, "neither a host name"},
		{"empty", []string{""}, nil, "neither a host name"},
		{"leading hyphen", []string{"-elm.example"}, nil, "neither a host name"},
		{"empty label", []string{"elm..example"}, nil, "neither a host name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			home := t.TempDir()
			if err := os.MkdirAll(filepath.Join(home, "config"), 0o700); err != nil {
				t.Fatal(err)
			}
			err := WriteWebCert(home, "elm-1", c.hosts, time.Now(), false)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want %q", err, c.err)
				}
				if _, err := os.Stat(filepath.Join(home, "config", WebKeyFile)); err == nil {
					t.Fatal("a refused certificate left its key behind")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			w, err := LoadHomeWebCert(home)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(w.Names, ",") != strings.Join(c.names, ",") {
				t.Fatalf("names %v, want %v", w.Names, c.names)
			}
			if len(w.Fingerprint) != 95 || w.NotAfter.Before(time.Now().Add(9*365*24*time.Hour)) {
				t.Fatalf("fingerprint %q, until %s", w.Fingerprint, w.NotAfter)
			}
			if err := WriteWebCert(home, "elm-1", nil, time.Now(), false); err == nil || !strings.Contains(err.Error(), "exists already") {
				t.Fatalf("overwrite without replace: %v", err)
			}
			again, err := ReadWebCert(filepath.Join(home, "config", WebCertFile))
			if err != nil || again.Fingerprint != w.Fingerprint {
				t.Fatalf("ReadWebCert: %+v %v", again, err)
			}
		})
	}
}
