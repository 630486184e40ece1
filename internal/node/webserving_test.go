package node

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestWebPlan checks how the site is served for each address and flags,
// and the errors for bad certificate files. Nothing listens.
func TestWebPlan(t *testing.T) {
	home, bare := filepath.Join(t.TempDir(), "home"), filepath.Join(t.TempDir(), "bare")
	for _, h := range []string{home, bare} {
		if err := Init(h, HomeOptions{ChainID: "secure-1"}); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{WebCertFile, WebKeyFile} {
		if err := os.Remove(filepath.Join(bare, "config", p)); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.pem")
	if err := os.WriteFile(garbage, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	certPath, keyPath := WebCertPaths(home)
	otherCert, otherKey := WebCertPaths(bare)
	if err := WriteWebCert(bare, "x", nil, time.Now(), true); err != nil {
		t.Fatal(err)
	}
	otherKeyBytes, _ := os.ReadFile(otherKey)
	mismatched := filepath.Join(dir, "other_key.pem")
	if err := os.WriteFile(mismatched, otherKeyBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{otherCert, otherKey} {
		os.Remove(p)
	}

	cases := []struct {
		name    string
		home    string
		w       WebServing
		cfg     string
		https   bool
		warning string
		err     string
	}{
		{"loopback is plain HTTP", home, WebServing{}, "127.0.0.1:8080", false, "", ""},
		{"localhost is loopback", home, WebServing{Addr: "localhost:8080"}, "", false, "", ""},
		{"IPv6 loopback", home, WebServing{Addr: "[::1]:8080"}, "", false, "", ""},
		{"loopback with --tls", home, WebServing{TLS: true}, "127.0.0.1:8080", true, "", ""},
		{"all interfaces use the home's certificate", home, WebServing{Addr: "0.0.0.0:8443"}, "127.0.0.1:8080", true, "", ""},
		{"configured address off loopback", home, WebServing{}, "192.168.7.7:8443", true, "", ""},
		{"own certificate", bare, WebServing{Addr: "0.0.0.0:443", CertFile: certPath, KeyFile: keyPath}, "", true, "", ""},
		{"plain HTTP on all interfaces refused", bare, WebServing{Addr: "0.0.0.0:8443"}, "", false, "",
			"refusing to serve plain HTTP on 0.0.0.0:8443: browsers sign only in a secure context"},
		{"empty host refused", bare, WebServing{Addr: ":8443"}, "", false, "", "refusing to serve plain HTTP on :8443"},
		{"IPv6 any refused", bare, WebServing{Addr: "[::]:8443"}, "", false, "", "refusing to serve plain HTTP on [::]:8443"},
		{"insecure HTTP on request", bare, WebServing{Addr: "0.0.0.0:8080", InsecureHTTP: true}, "", false,
			"warning: serving plain HTTP on 0.0.0.0:8080 (--insecure-http): browsers will not sign there", ""},
		{"--tls without a certificate", bare, WebServing{TLS: true}, "127.0.0.1:8080", false, "", "web certificate"},
		{"cert without key", home, WebServing{CertFile: certPath}, "127.0.0.1:8080", false, "", "--tls-cert and --tls-key go together"},
		{"insecure with a certificate", home, WebServing{InsecureHTTP: true, CertFile: certPath, KeyFile: keyPath}, "0.0.0.0:1", false, "", "--insecure-http cannot be combined"},
		{"missing certificate file", home, WebServing{CertFile: filepath.Join(dir, "nope.pem"), KeyFile: keyPath}, "0.0.0.0:1", false, "",
			"nope.pem: no web certificate (the file does not exist)"},
		{"garbage certificate", home, WebServing{CertFile: garbage, KeyFile: keyPath}, "0.0.0.0:1", false, "",
			"both must be PEM: the certificate, and its own private key"},
		{"garbage key", home, WebServing{CertFile: certPath, KeyFile: garbage}, "0.0.0.0:1", false, "", "garbage.pem"},
		{"key of another certificate", home, WebServing{CertFile: certPath, KeyFile: mismatched}, "0.0.0.0:1", false, "",
			"private key does not match public key"},
		{"address without a port", home, WebServing{Addr: "0.0.0.0"}, "", false, "", `web address "0.0.0.0": write it as host:port`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := c.w.Plan(c.home, c.cfg, time.Now())
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want one saying %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (p.Cert != nil) != c.https {
				t.Errorf("HTTPS %v, want %v", p.Cert != nil, c.https)
			}
			if !strings.Contains(p.Warning, c.warning) || (c.warning == "") != (p.Warning == "") {
				t.Errorf("warning %q, want %q", p.Warning, c.warning)
			}
		})
	}
}
