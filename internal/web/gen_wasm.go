//go:build ignore

// gen_wasm builds the browser's ballot cryptography (cmd/ballotwasm) for
// GOOS=js GOARCH=wasm and writes, into -out (default static):
//
//   - ballot.wasm.gz: the build, gzipped (best compression, no name, no
//     time, so the same build gives the same file);
//   - ballot.wasm.version: the Go version that built it (go env GOVERSION);
//   - wasm_exec.js: Go's support file for that same version, copied from
//     $(go env GOROOT)/lib/wasm with its licence header.
//
// Run it with go generate ./internal/web; TestBallotWasmCurrent runs it
// into a temporary directory and compares.
package main

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

func main() {
	out := flag.String("out", "static", "directory to write ballot.wasm.gz, ballot.wasm.version and wasm_exec.js into")
	flag.Parse()
	if err := generate(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gen_wasm:", err)
		os.Exit(1)
	}
}

func generate(out string) error {
	tmp, err := os.MkdirTemp("", "ballotwasm")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	wasm := filepath.Join(tmp, "ballot.wasm")
	// No VCS stamp and no flags from the environment: the build must
	// depend on the code and the Go version alone, or the committed file
	// would be stale after every commit.
	build := exec.Command("go", "build", "-trimpath", "-buildvcs=false", "-ldflags=-s -w", "-o", wasm, "github.com/folkmoot/folkmoot/cmd/ballotwasm")
	build.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0", "GOFLAGS=")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("build: %w", err)
	}
	raw, err := os.ReadFile(wasm)
	if err != nil {
		return err
	}
	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if err != nil {
		return err
	}
	if _, err := zw.Write(raw); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	env := func(name string) (string, error) {
		v, err := exec.Command("go", "env", name).Output()
		return strings.TrimSpace(string(v)), err
	}
	version, err := env("GOVERSION")
	if err != nil {
		return fmt.Errorf("go env GOVERSION: %w", err)
	}
	root, err := env("GOROOT")
	if err != nil {
		return fmt.Errorf("go env GOROOT: %w", err)
	}
	support, err := os.ReadFile(filepath.Join(root, "lib", "wasm", "wasm_exec.js"))
	if err != nil {
		return err
	}
	for name, data := range map[string][]byte{
		"ballot.wasm.gz":      gz.Bytes(),
		"ballot.wasm.version": []byte(version + "\n"),
		"wasm_exec.js":        support,
	} {
		if err := os.WriteFile(filepath.Join(out, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
