package formats

import (
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/folkmoot/folkmoot/internal/count"
)

// Format names for Detect, Open and File.Format.
const (
	PrefLib = "preflib"
	BLT     = "blt"
	Pabulib = "pabulib"
)

// Detect tells the format of the election file at path from format when it
// is given (preflib, soc, soi, toc, toi, blt, pabulib or pb) and from the
// file's extension otherwise, a .gz suffix aside. It returns PrefLib, BLT
// or Pabulib, and for PrefLib the data type the name says (soc, soi, toc,
// toi), or "" to take it from the file. It reads nothing.
func Detect(path, format string) (name, dataType string, err error) {
	ext := strings.TrimPrefix(strings.ToLower(filepath.Ext(strings.TrimSuffix(path, ".gz"))), ".")
	if format != "" {
		ext = format
	}
	switch ext {
	case "soc", "soi", "toc", "toi":
		return PrefLib, ext, nil
	case "preflib":
		return PrefLib, "", nil
	case "blt":
		return BLT, "", nil
	case "pb", "pabulib":
		return Pabulib, "", nil
	}
	return "", "", fmt.Errorf("cannot tell the format of %s: use --format preflib, blt or pabulib", path)
}

// File is an election file opened by Open: reading it gives the
// decompressed text.
type File struct {
	// Format is PrefLib, BLT or Pabulib; DataType PrefLib's data type, or
	// "" (see Detect).
	Format, DataType string
	// Size is the file's size on disk.
	Size int64

	raw   *os.File
	z     *gzip.Reader
	read  int64
	watch func(read, size int64)
}

// Open opens the election file at path, of the format Detect tells from
// path and format, decompressing it when its name ends in .gz. The caller
// closes it.
func Open(path, format string) (*File, error) {
	name, dataType, err := Detect(path, format)
	if err != nil {
		return nil, err
	}
	raw, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	f := &File{Format: name, DataType: dataType, raw: raw}
	if st, err := raw.Stat(); err == nil {
		f.Size = st.Size()
	}
	if strings.HasSuffix(path, ".gz") {
		if f.z, err = gzip.NewReader(countingReader{f}); err != nil {
			raw.Close()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	return f, nil
}

// Watch has fn called after every read from the disk with the bytes read
// so far (compressed, when the file is) and the file's size: a progress
// report for large files.
func (f *File) Watch(fn func(read, size int64)) { f.watch = fn }

// Read reads the file's decompressed text.
func (f *File) Read(p []byte) (int, error) {
	if f.z != nil {
		return f.z.Read(p)
	}
	return countingReader{f}.Read(p)
}

// Close closes the file.
func (f *File) Close() error { return f.raw.Close() }

// Profile reads a PrefLib or BLT file's ranked ballots.
func (f *File) Profile() (*count.Profile, error) {
	switch f.Format {
	case BLT:
		return ReadBLT(f)
	case PrefLib:
		return ReadPrefLib(f, f.DataType)
	}
	return nil, fmt.Errorf("a %s file holds no ranked ballots", f.Format)
}

// Election reads a Pabulib file's participatory budget.
func (f *File) Election() (*count.PBElection, error) {
	if f.Format != Pabulib {
		return nil, fmt.Errorf("a %s file holds no participatory budget", f.Format)
	}
	return ReadPabulib(f)
}

// countingReader reads f's bytes from the disk, counting them for Watch.
type countingReader struct{ f *File }

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.f.raw.Read(p)
	c.f.read += int64(n)
	if c.f.watch != nil {
		c.f.watch(c.f.read, c.f.Size)
	}
	return n, err
}
