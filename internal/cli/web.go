package cli

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/cometbft/cometbft/types"
	"github.com/spf13/cobra"

	"github.com/folkmoot/folkmoot/internal/node"
)

// webFlags adds start's flags that say how to serve the site to c, into w
// (see node.WebServing.Plan for what they mean together).
func webFlags(c *cobra.Command, w *node.WebServing) {
	c.Flags().StringVar(&w.Addr, "web-addr", "", "host:port for the site (default: web_address in config.toml)")
	c.Flags().StringVar(&w.CertFile, "tls-cert", "", "PEM certificate for the site (default: the one init made, config/web_cert.pem)")
	c.Flags().StringVar(&w.KeyFile, "tls-key", "", "PEM private key of --tls-cert")
	c.Flags().BoolVar(&w.TLS, "tls", false, "serve HTTPS on a loopback address too (off loopback it always is)")
	c.Flags().BoolVar(&w.InsecureHTTP, "insecure-http", false, "serve plain HTTP off loopback: browsers will not sign there")
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
