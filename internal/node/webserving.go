package node

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// WebServing is how the site was asked to be served: the flags of
// "folkmoot start". The zero value serves it at the home's web_address,
// plain HTTP on loopback and HTTPS anywhere else.
type WebServing struct {
	// Addr overrides the home's web_address when set.
	Addr string
	// CertFile and KeyFile are a certificate of the operator's own (PEM);
	// both or neither.
	CertFile, KeyFile string
	// TLS serves HTTPS on a loopback address too.
	TLS bool
	// InsecureHTTP serves plain HTTP off loopback, knowingly.
	InsecureHTTP bool
}

// WebPlan is what serving the site comes to: an address, and a
// certificate or none (plain HTTP).
type WebPlan struct {
	// Addr is where the site listens; "" serves no site.
	Addr string
	// Cert is the certificate the site serves HTTPS with; nil is plain HTTP.
	Cert *WebCert
	// Warning is for the operator, when the plan is legal but unwise.
	Warning string
}

// Plan decides how to serve the site of home, whose configured address is
// configured. Browsers give WebCrypto, and so signing, only to secure
// contexts: HTTPS, or plain HTTP on loopback. So loopback is plain HTTP
// unless TLS or a certificate is given; anywhere else is HTTPS (with
// CertFile/KeyFile or the certificate Init made), and plain HTTP there is
// refused unless InsecureHTTP says so. now dates the expiry warning.
func (w WebServing) Plan(home, configured string, now time.Time) (WebPlan, error) {
	p := WebPlan{Addr: configured}
	if w.Addr != "" {
		p.Addr = w.Addr
	}
	if p.Addr == "" {
		return p, nil
	}
	if (w.CertFile == "") != (w.KeyFile == "") {
		return p, errors.New("--tls-cert and --tls-key go together: give both, or neither to use the certificate init made")
	}
	own := w.CertFile != ""
	if w.InsecureHTTP && (own || w.TLS) {
		return p, errors.New("--insecure-http cannot be combined with --tls, --tls-cert or --tls-key")
	}
	loopback, err := isLoopback(p.Addr)
	if err != nil {
		return p, err
	}
	switch {
	case own:
		c, err := LoadWebCert(w.CertFile, w.KeyFile)
		if err != nil {
			return p, err
		}
		p.Cert = &c
	case w.InsecureHTTP:
		if !loopback {
			p.Warning = fmt.Sprintf("warning: serving plain HTTP on %s (--insecure-http): browsers will not sign there, "+
				"since WebCrypto needs HTTPS off loopback; members can read the site but must vote with the CLI", p.Addr)
		}
	case loopback && !w.TLS:
	default:
		c, err := LoadHomeWebCert(home)
		if errors.Is(err, ErrNoWebCert) && !loopback {
			return p, fmt.Errorf("refusing to serve plain HTTP on %s: browsers sign only in a secure context (HTTPS, or plain HTTP on 127.0.0.1). "+
				"Give --tls-cert and --tls-key, make the home's certificate with \"folkmoot web cert --home %s\", "+
				"or pass --insecure-http to serve it read-only anyway: %w", p.Addr, home, err)
		}
		if err != nil {
			return p, err
		}
		p.Cert = &c
	}
	if p.Cert != nil && p.Cert.NotAfter.Before(now) {
		p.Warning = fmt.Sprintf("warning: the site's certificate expired on %s; browsers will refuse it", p.Cert.NotAfter.Format(time.DateOnly))
	}
	return p, nil
}

// isLoopback says whether addr (host:port) listens on loopback only.
// An empty host or 0.0.0.0 listens on every interface.
func isLoopback(addr string) (bool, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false, fmt.Errorf("web address %q: write it as host:port: %w", addr, err)
	}
	if strings.EqualFold(host, "localhost") {
		return true, nil
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback(), nil
}
