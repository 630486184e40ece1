package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/folkmoot/folkmoot/internal/api"
	"github.com/folkmoot/folkmoot/internal/client"
	"github.com/folkmoot/folkmoot/internal/web"
)

// serveSite serves the community's web site and JSON API as plan says
// (HTTPS when it has a certificate), reading the running app and
// projection and relaying signed transactions through the node's own
// RPC. Stop shuts it down first.
func (r *running) serveSite(plan webPlan) error {
	addr := plan.addr
	if addr == "" {
		return nil
	}
	fingerprint := ""
	if plan.cert != nil {
		fingerprint = plan.cert.Fingerprint
	}
	cl, err := client.New(r.node.RPCAddress())
	if err != nil {
		return fmt.Errorf("web: %w", err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	svc := api.New(api.Options{App: r.app, Store: r.store, Node: cl, Log: log})
	site, err := web.New(web.Options{Service: svc, Log: log, Fingerprint: fingerprint})
	if err != nil {
		return fmt.Errorf("web: %w", err)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("web: listen on %s (set web_address in config.toml): %w", addr, err)
	}
	// Requests live on base, which Stop cancels first, so that live-tally
	// streams end and Shutdown need not wait for them.
	base, cancel := context.WithCancel(context.Background())
	srv := web.NewServer(site.Handler(), log)
	srv.BaseContext = func(net.Listener) context.Context { return base }
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("web server stopped", "err", err)
		}
	}()
	r.site = "http://" + l.Addr().String()
	if plan.cert != nil {
		l = tls.NewListener(l, &tls.Config{Certificates: []tls.Certificate{plan.cert.TLS}, MinVersion: tls.VersionTLS12})
		r.site, r.fingerprint = "https://"+l.Addr().String(), fingerprint
	}
	r.stop = append(r.stop, func() error {
		cancel()
		ctx, done := context.WithTimeout(context.Background(), 2*time.Second)
		defer done()
		if err := srv.Shutdown(ctx); err != nil {
			return srv.Close()
		}
		return nil
	})
	return nil
}
