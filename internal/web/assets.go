package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// The browser's ballot cryptography: cmd/ballotwasm built for js/wasm,
// committed gzipped with the Go version that built it and that version's
// wasm_exec.js (TestBallotWasmCurrent checks the three are what the code
// builds today).
//
//go:generate go run gen_wasm.go

// wasmPath is where the site serves the build (static/ballot.wasm.gz).
const wasmPath = "ballot.wasm"

// Assets serves the site's embedded static files at /static/…, as the
// site does, for servers other than a node's (a benchmark's page, a
// test's): a path that is not an asset is 404.
func Assets() http.Handler {
	return newAssets(http.NotFoundHandler())
}

// assets serves the embedded static files; notFound answers a path that
// is not one.
type assets struct {
	static   fs.FS
	files    http.Handler
	notFound http.Handler
	// wasmGz is static/ballot.wasm.gz; wasm is it decompressed, made on
	// the first request of a client that does not accept gzip.
	wasmGz   []byte
	wasmOnce sync.Once
	wasm     []byte
}

func newAssets(notFound http.Handler) http.Handler {
	static, _ := fs.Sub(staticFiles, "static")
	gz, _ := fs.ReadFile(static, wasmPath+".gz")
	a := &assets{static: static, files: http.FileServerFS(static), notFound: notFound, wasmGz: gz}
	mux := http.NewServeMux()
	mux.Handle("GET /static/"+wasmPath, http.HandlerFunc(a.serveWasm))
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.HandlerFunc(a.serveFile)))
	return mux
}

func (a *assets) serveFile(w http.ResponseWriter, r *http.Request) {
	// Assets only: a directory would be listed.
	if fi, err := fs.Stat(a.static, strings.TrimSuffix(r.URL.Path, "/")); r.URL.Path == "" || err != nil || fi.IsDir() {
		r.URL.Path = "/static/" + r.URL.Path
		a.notFound.ServeHTTP(w, r)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=3600")
	a.files.ServeHTTP(w, r)
}

// serveWasm sends the committed gzip file as it is, with Content-Encoding:
// gzip, to every client that accepts gzip (all browsers that run
// WebAssembly do), and the decompressed build to the others. The type is
// application/wasm, which WebAssembly.instantiateStreaming requires.
func (a *assets) serveWasm(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Type", "application/wasm")
	hd.Set("Cache-Control", "public, max-age=3600")
	hd.Add("Vary", "Accept-Encoding")
	body := a.wasmGz
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		hd.Set("Content-Encoding", "gzip")
	} else {
		a.wasmOnce.Do(func() {
			zr, err := gzip.NewReader(bytes.NewReader(a.wasmGz))
			if err != nil {
				return
			}
			a.wasm, _ = io.ReadAll(zr)
		})
		body = a.wasm
	}
	if len(body) == 0 {
		http.Error(w, "The ballot cryptography is not built: run go generate ./internal/web.", http.StatusInternalServerError)
		return
	}
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}
