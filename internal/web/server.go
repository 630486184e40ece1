package web

import (
	"log/slog"
	"net/http"
	"time"
)

// NewServer returns the HTTP server a node serves its site with: bounded
// header, read and idle times (no write timeout, which would cut the live
// tally streams), small headers, and its own errors logged to log.
func NewServer(h http.Handler, log *slog.Logger) *http.Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
}
