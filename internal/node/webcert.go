package node

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	cfg "github.com/cometbft/cometbft/config"
)

// The web site's certificate and key, in a home's config directory.
// Browsers give WebCrypto (and so signing) only to secure contexts: a
// site served anywhere but loopback must be HTTPS, and a community node
// rarely has a certificate from a public authority, so Init makes a
// self-signed one whose fingerprint members compare (the node prints it,
// the site shows it).
const (
	WebCertFile = "web_cert.pem"
	WebKeyFile  = "web_key.pem"
)

// webCertValidity is how long a generated certificate is valid.
const webCertValidity = 10 * 365 * 24 * time.Hour

// WebCertPaths returns where home keeps its site's certificate and key.
func WebCertPaths(home string) (cert, key string) {
	dir := filepath.Join(home, cfg.DefaultConfigDir)
	return filepath.Join(dir, WebCertFile), filepath.Join(dir, WebKeyFile)
}

// WriteWebCert makes a self-signed ECDSA P-256 certificate for the site of
// home, valid from now for ten years, naming localhost, 127.0.0.1 and ::1
// and every host in hosts (host names or IP addresses), and writes it with
// its key (mode 0600) to WebCertPaths. It replaces existing files only
// when replace is true.
func WriteWebCert(home, chainID string, hosts []string, now time.Time, replace bool) error {
	certPath, keyPath := WebCertPaths(home)
	if !replace {
		for _, p := range []string{certPath, keyPath} {
			if _, err := os.Stat(p); err == nil {
				return fmt.Errorf("web certificate: %s exists already", p)
			}
		}
	}
	tmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: "folkmoot node " + chainID, Organization: []string{"folkmoot"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(webCertValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	for _, h := range hosts {
		h = strings.TrimSpace(h)
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
			continue
		}
		if !validHostName(h) {
			return fmt.Errorf("web certificate: %q is neither a host name nor an IP address", h)
		}
		tmpl.DNSNames = append(tmpl.DNSNames, strings.ToLower(h))
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return fmt.Errorf("web certificate: serial number: %w", err)
	}
	tmpl.SerialNumber = serial
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("web certificate: key: %w", err)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return fmt.Errorf("web certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return fmt.Errorf("web certificate: key: %w", err)
	}
	if err := writeFileAtomic(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return fmt.Errorf("web certificate: %w", err)
	}
	if err := writeFileAtomic(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return fmt.Errorf("web certificate: %w", err)
	}
	return nil
}

// validHostName accepts DNS names of letters, digits, hyphens and dots
// (and a leading "*." wildcard).
func validHostName(h string) bool {
	h = strings.TrimPrefix(h, "*.")
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
				return false
			}
		}
	}
	return true
}

func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// ErrNoWebCert reports that a home has no certificate for its site.
var ErrNoWebCert = errors.New("no web certificate")

// WebCert is a certificate the site serves with.
type WebCert struct {
	TLS tls.Certificate
	// Fingerprint is the SHA-256 of the certificate (DER), as browsers
	// show it: upper-case hex pairs separated by colons.
	Fingerprint string
	NotAfter    time.Time
	Names       []string // the DNS names and IP addresses it is valid for
}

// LoadWebCert reads a PEM certificate and its private key, with an error
// that says which file is wrong and how.
func LoadWebCert(certFile, keyFile string) (WebCert, error) {
	var w WebCert
	for _, f := range []struct{ what, path string }{{"certificate", certFile}, {"key", keyFile}} {
		if _, err := os.Stat(f.path); errors.Is(err, fs.ErrNotExist) {
			return w, fmt.Errorf("web %s %s: %w (the file does not exist)", f.what, f.path, ErrNoWebCert)
		} else if err != nil {
			return w, fmt.Errorf("web %s: %w", f.what, err)
		}
	}
	c, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return w, fmt.Errorf("web certificate %s with key %s: %w (both must be PEM: the certificate, and its own private key)", certFile, keyFile, err)
	}
	leaf, err := x509.ParseCertificate(c.Certificate[0])
	if err != nil {
		return w, fmt.Errorf("web certificate %s: %w", certFile, err)
	}
	w.TLS, w.Fingerprint, w.NotAfter = c, Fingerprint(c.Certificate[0]), leaf.NotAfter
	w.Names = certNames(leaf)
	return w, nil
}

// LoadHomeWebCert reads the certificate Init made for home's site.
func LoadHomeWebCert(home string) (WebCert, error) {
	c, k := WebCertPaths(home)
	return LoadWebCert(c, k)
}

// Fingerprint returns the SHA-256 fingerprint of a DER certificate as
// browsers show it ("AB:CD:…", 32 pairs).
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	var b strings.Builder
	for i, x := range sum {
		if i > 0 {
			b.WriteByte(':')
		}
		fmt.Fprintf(&b, "%02X", x)
	}
	return b.String()
}

// ReadWebCert reads a PEM certificate without its key, for its
// fingerprint, names and expiry.
func ReadWebCert(certFile string) (WebCert, error) {
	var w WebCert
	raw, err := os.ReadFile(certFile)
	if errors.Is(err, fs.ErrNotExist) {
		return w, fmt.Errorf("web certificate %s: %w (the file does not exist)", certFile, ErrNoWebCert)
	}
	if err != nil {
		return w, fmt.Errorf("web certificate: %w", err)
	}
	b, _ := pem.Decode(raw)
	if b == nil || b.Type != "CERTIFICATE" {
		return w, fmt.Errorf("web certificate %s: not a PEM certificate", certFile)
	}
	leaf, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		return w, fmt.Errorf("web certificate %s: %w", certFile, err)
	}
	w.Fingerprint, w.NotAfter = Fingerprint(b.Bytes), leaf.NotAfter
	w.Names = certNames(leaf)
	return w, nil
}

func certNames(c *x509.Certificate) []string {
	names := append([]string(nil), c.DNSNames...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	return names
}
