package formats

import (
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOpen checks format detection (extension, .gz, the format argument)
// and that a gzipped file reads as the plain one, with the bytes read
// from disk reported to Watch.
func TestOpen(t *testing.T) {
	for _, c := range []struct {
		path, format, name, dataType, err string
	}{
		{"a.soi", "", PrefLib, "soi", ""},
		{"a.TOC.gz", "", PrefLib, "toc", ""},
		{"a.txt", "preflib", PrefLib, "", ""},
		{"ward.blt", "", BLT, "", ""},
		{"city.pb.gz", "", Pabulib, "", ""},
		{"city.dat", "pb", Pabulib, "", ""},
		{"notes.md", "", "", "", "cannot tell the format of notes.md: use --format preflib, blt or pabulib"},
		{"a.soi", "csv", "", "", "cannot tell the format"},
	} {
		name, dataType, err := Detect(c.path, c.format)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("Detect(%q, %q): error %v, want %q", c.path, c.format, err, c.err)
			}
			continue
		}
		if err != nil || name != c.name || dataType != c.dataType {
			t.Errorf("Detect(%q, %q) = %q, %q, %v; want %q, %q", c.path, c.format, name, dataType, err, c.name, c.dataType)
		}
	}

	dir := t.TempDir()
	const soi = "# FILE NAME: x.soi\n# DATA TYPE: soi\n# NUMBER ALTERNATIVES: 2\n# NUMBER VOTERS: 3\n# NUMBER UNIQUE ORDERS: 2\n# ALTERNATIVE NAME 1: Ann\n# ALTERNATIVE NAME 2: Bo\n2: 1,2\n1: 2\n"
	plain := filepath.Join(dir, "x.soi")
	if err := os.WriteFile(plain, []byte(soi), 0o600); err != nil {
		t.Fatal(err)
	}
	zipped := filepath.Join(dir, "x.soi.gz")
	zf, err := os.Create(zipped)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(zf)
	zw.Write([]byte(soi))
	zw.Close()
	zf.Close()
	for _, path := range []string{plain, zipped} {
		f, err := Open(path, "")
		if err != nil {
			t.Fatal(err)
		}
		var last int64
		f.Watch(func(read, size int64) { last = read })
		p, err := f.Profile()
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if len(p.Candidates) != 2 || p.Candidates[0] != "Ann" || len(p.Ballots) != 2 {
			t.Errorf("%s: candidates %v, %d distinct ballots", path, p.Candidates, len(p.Ballots))
		}
		if last != f.Size {
			t.Errorf("%s: Watch saw %d bytes read of %d", path, last, f.Size)
		}
		if _, err := f.Election(); err == nil {
			t.Errorf("%s: a PrefLib file read as a budget", path)
		}
	}
	if _, err := Open(filepath.Join(dir, "x.soi"), "pabulib"); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(filepath.Join(dir, "missing.soi"), ""); err == nil || !os.IsNotExist(err) {
		t.Errorf("a missing file: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bad.soi.gz"), []byte("this is not a gzip stream at all"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(filepath.Join(dir, "bad.soi.gz"), ""); err == nil || !strings.Contains(err.Error(), "bad.soi.gz: gzip: invalid header") {
		t.Errorf("a bad gzip file: %v", err)
	}
}
