package cli

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"time"

	"github.com/cometbft/cometbft/types"
	"github.com/spf13/cobra"

	"github.com/folkmoot/folkmoot/internal/node"
)

// webServing is how "start" was asked to serve the site.
type webServing struct {
	addr              string // overrides the home's web_address when set
	certFile, keyFile string // a certificate of the operator's own
	tls               bool   // HTTPS on loopback too
	insecureHTTP      bool   // plain HTTP off loopback, knowingly
}

func (w *webServing) add(c *cobra.Command) {
	c.Flags().StringVar(&w.addr, "web-addr", "", "host:port for the site (default: web_address in config.toml)")
	c.Flags().StringVar(&w.certFile, "tls-cert", "", "PEM certificate for the site (default: the one init made, config/web_cert.pem)")
	c.Flags().StringVar(&w.keyFile, "tls-key", "", "PEM private key of --tls-cert")
	c.Flags().BoolVar(&w.tls, "tls", false, "serve HTTPS on a loopback address too (off loopback it always is)")
	c.Flags().BoolVar(&w.insecureHTTP, "insecure-http", false, "serve plain HTTP off loopback: browsers will not sign there")
}

// webPlan is what serving the site comes to: an address, and a
// certificate or none (plain HTTP).
type webPlan struct {
	addr    string
	cert    *node.WebCert
	warning string // for the operator, when the plan is legal but unwise
}

// plan decides how to serve the site of home, whose configured address is
// configured. Browsers give WebCrypto, and so signing, only to secure
// contexts: HTTPS, or plain HTTP on loopback. So loopback is plain HTTP
// unless --tls or a certificate is given; anywhere else is HTTPS (with
// --tls-cert/--tls-key or the certificate init made), and plain HTTP
// there is refused unless --insecure-http says so.
func (w webServing) plan(home, configured string) (webPlan, error) {
	p := webPlan{addr: configured}
	if w.addr != "" {
		p.addr = w.addr
	}
	if p.addr == "" {
		return p, nil
	}
	if (w.certFile == "") != (w.keyFile == "") {
		return p, errors.New("--tls-cert and --tls-key go together: give both, or neither to use the certificate init made")
	}
	own := w.certFile != ""
	if w.insecureHTTP && (own || w.tls) {
		return p, errors.New("--insecure-http cannot be combined with --tls, --tls-cert or --tls-key")
	}
	loopback, err := isLoopback(p.addr)
	if err != nil {
		return p, err
	}
	switch {
	case own:
		c, err := node.LoadWebCert(w.certFile, w.keyFile)
		if err != nil {
			return p, err
		}
		p.cert = &c
	case w.insecureHTTP:
		if !loopback {
			p.warning = fmt.Sprintf("warning: serving plain HTTP on %s (--insecure-http): browsers will not sign there, "+
				"since WebCrypto needs HTTPS off loopback; members can read the site but must vote with the CLI", p.addr)
		}
	case loopback && !w.tls:
	default:
		c, err := node.LoadHomeWebCert(home)
		if errors.Is(err, node.ErrNoWebCert) && !loopback {
			return p, fmt.Errorf("refusing to serve plain HTTP on %s: browsers sign only in a secure context (HTTPS, or plain HTTP on 127.0.0.1). "+
				"Give --tls-cert and --tls-key, make the home's certificate with \"folkmoot web cert --home %s\", "+
				"or pass --insecure-http to serve it read-only anyway: %w", p.addr, home, err)
		}
		if err != nil {
			return p, err
		}
		p.cert = &c
	}
	if p.cert != nil && p.cert.NotAfter.Before(time.Now()) {
		p.warning = fmt.Sprintf("warning: the site's certificate expired on %s; browsers will refuse it", p.cert.NotAfter.Format(time.DateOnly))
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

func newWebCmd(s *Streams) *cobra.Command {
	c := &cobra.Command{
		Use:   "web",
		Short: "The site's HTTPS certificate: print its fingerprint, or make a new one",
	}
	var home, certFile string
	fp := &cobra.Command{
		Use:   "fingerprint",
		Short: "Print the SHA-256 fingerprint of the site's certificate, for members to compare",
		Long: `fingerprint prints the SHA-256 fingerprint of the certificate the site
serves (the one init made, or --tls-cert), as browsers show it, with the
names it is valid for and its expiry. Members compare it with what their
browser shows before trusting the site.`,
		Example: "  folkmoot web fingerprint\n  folkmoot web fingerprint --tls-cert /etc/folkmoot/cert.pem",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var wc node.WebCert
			var err error
			if certFile != "" {
				wc, err = node.ReadWebCert(certFile)
			} else {
				wc, err = node.LoadHomeWebCert(home)
			}
			if err != nil {
				return fmt.Errorf("web fingerprint: %w", err)
			}
			fmt.Fprintf(s.Out, "SHA-256 %s\n", wc.Fingerprint)
			fmt.Fprintf(s.Out, "valid for %s until %s\n", strings.Join(wc.Names, ", "), wc.NotAfter.UTC().Format(time.DateOnly))
			return nil
		},
	}
	homeFlag(fp, &home)
	fp.Flags().StringVar(&certFile, "tls-cert", "", "a PEM certificate instead of the home's")

	var hosts []string
	var replace bool
	var certHome string
	mk := &cobra.Command{
		Use:   "cert",
		Short: "Make the site's self-signed certificate (config/web_cert.pem and web_key.pem)",
		Long: `cert makes a new self-signed ECDSA P-256 certificate for the site of a
home, valid for localhost, 127.0.0.1 and every --host, and prints its
fingerprint. It refuses to replace an existing one without --replace:
members who compared the old fingerprint must compare the new one.`,
		Example: "  folkmoot web cert --host elm.example --host 192.168.1.20 --replace",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			gen, err := types.GenesisDocFromFile(filepath.Join(certHome, "config", "genesis.json"))
			if err != nil {
				return fmt.Errorf("web cert: no node home at %s: %w", certHome, err)
			}
			if err := node.WriteWebCert(certHome, gen.ChainID, hosts, time.Now(), replace); err != nil {
				if !replace {
					return fmt.Errorf("%w (pass --replace to make a new one)", err)
				}
				return err
			}
			wc, err := node.LoadHomeWebCert(certHome)
			if err != nil {
				return fmt.Errorf("web cert: %w", err)
			}
			fmt.Fprintf(s.Out, "web certificate for %s\n  SHA-256 %s\n", strings.Join(wc.Names, ", "), wc.Fingerprint)
			return nil
		},
	}
	homeFlag(mk, &certHome)
	mk.Flags().StringArrayVar(&hosts, "host", nil, "host name or IP address to name besides localhost (repeat)")
	mk.Flags().BoolVar(&replace, "replace", false, "replace the existing certificate")
	c.AddCommand(fp, mk)
	return c
}
