package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fxamacker/cbor/v2"

	"github.com/folkmoot/folkmoot/internal/core/coretest"
	"github.com/folkmoot/folkmoot/internal/history"
)

// simHistory writes a small simulated community's history and returns its
// bytes.
func simHistory(t *testing.T, blocks int) []byte {
	t.Helper()
	sim := coretest.NewSim(11, 5)
	root := sim.State.Root()
	var buf bytes.Buffer
	w, err := history.NewWriter(&buf, history.Header{ChainID: coretest.ChainID, GenesisTime: coretest.GenesisTime.UnixNano(),
		AppState: sim.AppState, GenesisRoot: root[:]})
	if err != nil {
		t.Fatal(err)
	}
	for range blocks {
		b, res := sim.Block(4)
		codes := make([]uint32, len(res.Txs))
		for i, r := range res.Txs {
			codes[i] = uint32(r.Code)
		}
		if err := w.WriteBlock(history.Block{Height: b.Height, Time: b.Time.UnixNano(), Txs: b.Txs, Codes: codes, AppHash: res.Root[:]}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// items splits a history file into its CBOR items (the header, then one
// per block).
func items(t *testing.T, file []byte) []cbor.RawMessage {
	t.Helper()
	dec := cbor.NewDecoder(bytes.NewReader(file))
	var out []cbor.RawMessage
	for dec.NumBytesRead() < len(file) {
		var it cbor.RawMessage
		if err := dec.Decode(&it); err != nil {
			t.Fatal(err)
		}
		out = append(out, it)
	}
	return out
}

// TestVerifyReportsUnreadableFiles is finding 2 of issue 10.
//
// Exploit: a history whose heights skip (block 3 removed), a history cut
// short in the middle of a block, and 100 MB of zeros each made
// "folkmoot verify" print "result OK: every result and app hash matches
// the record" (the summary only knew about mismatches, not read errors),
// then an error on stderr; "--output json" had no error field, so a script
// reading the JSON saw a clean summary. Now the summary says FAILED with
// the height, the JSON says "ok": false with the error, and the exit code
// is non-zero.
func TestVerifyReportsUnreadableFiles(t *testing.T) {
	dir := t.TempDir()
	good := simHistory(t, 5)
	parts := items(t, good)
	skipped := bytes.Join([][]byte{parts[0], parts[1], parts[2], parts[4], parts[5]}, nil)
	// A mismatch: the last byte of block 5's app hash changed.
	tampered := bytes.Clone(good)
	tampered[len(tampered)-1] ^= 1

	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	zeros := filepath.Join(dir, "zeros.fmh")
	f, err := os.Create(zeros)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(100 << 20); err != nil { // sparse: 100 MB of zeros
		t.Fatal(err)
	}
	f.Close()

	tests := []struct {
		name string
		path string
		says string // in the FAILED line and the JSON error
	}{
		{"heights skip", write("skip.fmh", skipped), "height 3"},
		{"truncated", write("cut.fmh", good[:len(good)-40]), "height 5"},
		{"100 MB of zeros", zeros, "header"},
		{"empty", write("empty.fmh", nil), "header"},
		{"app hash mismatch", write("tampered.fmh", tampered), "height 5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := run(t, "verify", tt.path)
			if code == 0 {
				t.Fatalf("exit 0 for a file that does not verify:\n%s", out)
			}
			if strings.Contains(out, "OK") {
				t.Fatalf("the summary says OK:\n%s", out)
			}
			line := summaryResult(out)
			if !strings.HasPrefix(line, "result      FAILED: ") || !strings.Contains(line, tt.says) {
				t.Fatalf("result line %q, want FAILED naming %q (stderr %s)", line, tt.says, errOut)
			}

			out, _, code = run(t, "verify", tt.path, "--output", "json")
			if code == 0 {
				t.Fatal("--output json: exit 0")
			}
			var got struct {
				OK    *bool  `json:"ok"`
				Error string `json:"error"`
			}
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("json %q: %v", out, err)
			}
			if got.OK == nil || *got.OK || !strings.Contains(got.Error, tt.says) {
				t.Fatalf("json ok %v error %q, want ok false and an error naming %q", got.OK, got.Error, tt.says)
			}
		})
	}

	t.Run("good history", func(t *testing.T) {
		p := write("good.fmh", good)
		out := mustRun(t, "verify", p)
		if line := summaryResult(out); line != "result      OK: every result and app hash matches the record" {
			t.Fatalf("result line %q", line)
		}
		out = mustRun(t, "verify", p, "--output", "json")
		var got map[string]any
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatal(err)
		}
		if got["ok"] != true || got["error"] != nil || got["blocks"] != 5.0 {
			t.Fatalf("json ok %v error %v blocks %v", got["ok"], got["error"], got["blocks"])
		}
	})
}

// summaryResult returns the summary's "result" line.
func summaryResult(out string) string {
	for l := range strings.Lines(out) {
		if strings.HasPrefix(l, "result ") {
			return strings.TrimSuffix(l, "\n")
		}
	}
	return ""
}
