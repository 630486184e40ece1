package node

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/folkmoot/folkmoot/internal/web"
)

// serveSite serves the community's web site and JSON API as plan says
// (HTTPS when it has a certificate). Stop shuts it down first.
func (c *Community) serveSite(plan WebPlan, log *slog.Logger) error {
	if plan.Addr == "" {
		return nil
	}
	fingerprint := ""
	if plan.Cert != nil {
		fingerprint = plan.Cert.Fingerprint
	}
	l, url, err := listenHTTP(plan.Addr, plan.Cert)
	if err != nil {
		return err
	}
	// The site builds its feed's links from the address it is served at,
	// never from a request's Host header (issue 10, finding 7).
	site, err := web.New(web.Options{Service: c.service, Log: log, Fingerprint: fingerprint, BaseURL: url})
	if err != nil {
		l.Close()
		return fmt.Errorf("web: %w", err)
	}
	stop := serveOn(l, site.Handler(), log)
	c.site, c.fingerprint = url, fingerprint
	c.stop = append(c.stop, stop)
	return nil
}

// serveHTTP serves h on addr, over TLS with cert when cert is not nil, and
// returns the URL it is served at and the function that stops it.
//
// The listener the server goroutine serves is complete (wrapped in TLS)
// before the goroutine starts, and is handed to it: a goroutine that read
// a listener variable still to be wrapped could serve plain HTTP on an
// address announced as https:// (issue 10, finding 1).
func serveHTTP(addr string, cert *WebCert, h http.Handler, log *slog.Logger) (url string, stop func() error, err error) {
	l, url, err := listenHTTP(addr, cert)
	if err != nil {
		return "", nil, err
	}
	return url, serveOn(l, h, log), nil
}

// listenHTTP listens on addr, in TLS with cert when cert is not nil, and
// returns the listener and the URL it is reached at.
func listenHTTP(addr string, cert *WebCert) (l net.Listener, url string, err error) {
	l, err = net.Listen("tcp", addr)
	if err != nil {
		return nil, "", fmt.Errorf("web: listen on %s (set web_address in config.toml): %w", addr, err)
	}
	url = "http://" + l.Addr().String()
	if cert != nil {
		l = tls.NewListener(l, &tls.Config{Certificates: []tls.Certificate{cert.TLS}, MinVersion: tls.VersionTLS12})
		url = "https://" + l.Addr().String()
	}
	return l, url, nil
}

// serveOn serves h on l, which is complete, and returns the function that
// stops it.
func serveOn(l net.Listener, h http.Handler, log *slog.Logger) (stop func() error) {
	// Requests live on base, which stop cancels first, so that live-tally
	// streams end and Shutdown need not wait for them.
	base, cancel := context.WithCancel(context.Background())
	srv := web.NewServer(h, log)
	srv.BaseContext = func(net.Listener) context.Context { return base }
	go func(l net.Listener) {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) && log != nil {
			log.Error("web server stopped", "err", err)
		}
	}(l)
	return func() error {
		cancel()
		ctx, done := context.WithTimeout(context.Background(), 2*time.Second)
		defer done()
		if err := srv.Shutdown(ctx); err != nil {
			return srv.Close()
		}
		return nil
	}
}
