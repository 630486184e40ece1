package cli

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/folkmoot/folkmoot/internal/node"
)

var fingerprintRE = regexp.MustCompile(`SHA-256 ((?:[0-9A-F]{2}:){31}[0-9A-F]{2})`)

// initHome founds a one-member community in a fresh home and returns the
// home and what init printed.
func initHome(t *testing.T, extra ...string) (string, string) {
	t.Helper()
	home := filepath.Join(t.TempDir(), "home")
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{"init", "--home", home, "--name", "Secure Street", "--founder", "Ada=" + hex.EncodeToString(pub),
		"--vouches", "1", "--timeout-commit", "200ms", "--empty-blocks", "500ms"}, extra...)
	return home, mustRun(t, args...)
}

func printedFingerprint(t *testing.T, out string) string {
	t.Helper()
	m := fingerprintRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no fingerprint printed:\n%s", out)
	}
	return m[1]
}

// TestInitMakesWebCert checks the certificate init makes: ECDSA P-256,
// self-signed, for loopback and the --web-host names, its key readable by
// the owner only, its fingerprint the same in init's output, "web
// fingerprint" and a hash of its bytes.
func TestInitMakesWebCert(t *testing.T) {
	home, out := initHome(t, "--web-host", "elm.example", "--web-host", "192.168.7.7")
	fp := printedFingerprint(t, out)
	certPath, keyPath := node.WebCertPaths(home)
	st, err := os.Stat(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("key mode %v, want 0600", st.Mode().Perm())
	}
	raw, err := os.ReadFile(certPath)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := pem.Decode(raw)
	cert, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if got := node.Fingerprint(b.Bytes); got != fp {
		t.Errorf("init printed %s, the certificate's is %s", fp, got)
	}
	if k, ok := cert.PublicKey.(*ecdsa.PublicKey); !ok || k.Curve != elliptic.P256() {
		t.Errorf("key %T, want ECDSA P-256", cert.PublicKey)
	}
	if err := cert.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature); err != nil {
		t.Errorf("not self-signed: %v", err)
	}
	if want := []string{"localhost", "elm.example"}; !slices.Equal(cert.DNSNames, want) {
		t.Errorf("DNS names %v, want %v", cert.DNSNames, want)
	}
	var ips []string
	for _, ip := range cert.IPAddresses {
		ips = append(ips, ip.String())
	}
	if want := []string{"127.0.0.1", "::1", "192.168.7.7"}; !slices.Equal(ips, want) {
		t.Errorf("IP addresses %v, want %v", ips, want)
	}
	for _, host := range []string{"localhost", "elm.example", "127.0.0.1", "192.168.7.7"} {
		if err := cert.VerifyHostname(host); err != nil {
			t.Errorf("not valid for %s: %v", host, err)
		}
	}
	if got := printedFingerprint(t, mustRun(t, "web", "fingerprint", "--home", home)); got != fp {
		t.Errorf("web fingerprint printed %s, init %s", got, fp)
	}
	if got := printedFingerprint(t, mustRun(t, "web", "fingerprint", "--tls-cert", certPath)); got != fp {
		t.Errorf("web fingerprint --tls-cert printed %s, init %s", got, fp)
	}

	// A new certificate only on request, and then a new fingerprint.
	if _, errOut, code := run(t, "web", "cert", "--home", home); code == 0 || !strings.Contains(errOut, "--replace") {
		t.Errorf("web cert over an existing one: exit %d, %s", code, errOut)
	}
	again := printedFingerprint(t, mustRun(t, "web", "cert", "--home", home, "--replace", "--host", "oak.example"))
	if again == fp {
		t.Error("web cert --replace kept the old certificate")
	}

	// A bad host name: a clear error, and no home left behind.
	bad := filepath.Join(t.TempDir(), "bad")
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	_, errOut, code := run(t, "init", "--home", bad, "--name", "Bad", "--founder", "Ada="+hex.EncodeToString(pub), "--web-host", "https://elm.example/")
	if code == 0 || !strings.Contains(errOut, `"https://elm.example/" is neither a host name nor an IP address`) {
		t.Errorf("init with a URL as host: exit %d, %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(bad, "config", "config.toml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed init left its config behind: %v", err)
	}
}

// TestStartRefusesPlainHTTPOffLoopback checks that the refusal comes
// before anything starts: no listener is opened.
func TestStartRefusesPlainHTTPOffLoopback(t *testing.T) {
	home, _ := initHome(t)
	for _, p := range []string{node.WebCertFile, node.WebKeyFile} {
		os.Remove(filepath.Join(home, "config", p))
	}
	rpc, _ := freeAddr()
	p2p, _ := freeAddr()
	setPorts(t, home, p2p, rpc)
	web, _ := freeAddr()
	_, port, _ := net.SplitHostPort(web)
	r, err := node.Open(context.Background(), home, node.Options{Web: node.WebServing{Addr: "0.0.0.0:" + port}})
	if err == nil {
		r.Stop()
		t.Fatal("plain HTTP on 0.0.0.0 was served")
	}
	if !strings.Contains(err.Error(), "refusing to serve plain HTTP on 0.0.0.0:"+port) || !strings.Contains(err.Error(), "--insecure-http") {
		t.Fatalf("error %q", err)
	}
	for _, addr := range []string{"0.0.0.0:" + port, rpc, p2p} {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			t.Fatalf("%s is taken after a refused start: %v", addr, err)
		}
		l.Close()
	}
	if _, errOut, code := run(t, "start", "--home", home, "--web-addr", "0.0.0.0:"+port); code == 0 || !strings.Contains(errOut, "refusing to serve plain HTTP") {
		t.Fatalf("folkmoot start: exit %d, %s", code, errOut)
	}
}

// TestStartServesHTTPS serves the site with the certificate init made on
// 127.0.0.1 and reads it with a client that trusts that certificate only;
// the certificate served is the one whose fingerprint init printed, and
// every page shows it.
func TestStartServesHTTPS(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real node")
	}
	home, out := initHome(t)
	printed := printedFingerprint(t, out)
	rpc, _ := freeAddr()
	p2p, _ := freeAddr()
	setPorts(t, home, p2p, rpc)
	r, err := node.Open(context.Background(), home, node.Options{Web: node.WebServing{TLS: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Stop()
	if !strings.HasPrefix(r.Site(), "https://127.0.0.1:") || r.Fingerprint() != printed {
		t.Fatalf("site %s with fingerprint %s; init printed %s", r.Site(), r.Fingerprint(), printed)
	}
	certPath, _ := node.WebCertPaths(home)
	raw, err := os.ReadFile(certPath)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(raw) {
		t.Fatal("the certificate does not parse")
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	res, err := hc.Get(r.Site() + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), `<code id="cert-fingerprint">`+printed+`</code>`) {
		t.Fatalf("GET /: %d, no fingerprint %s in the footer:\n%s", res.StatusCode, printed, body)
	}
	if got := node.Fingerprint(res.TLS.PeerCertificates[0].Raw); got != printed {
		t.Fatalf("served certificate %s, printed %s", got, printed)
	}
	// A client that trusts only the system's authorities refuses it, and
	// plain HTTP gets no page.
	if _, err := http.Get(r.Site() + "/"); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("a client without the certificate: %v", err)
	}
	if res, err := http.Get("http" + strings.TrimPrefix(r.Site(), "https") + "/"); err == nil {
		res.Body.Close()
		if res.StatusCode == 200 {
			t.Error("plain HTTP got a page from the HTTPS site")
		}
	}
}
