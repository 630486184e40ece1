package history_test

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/folkmoot/folkmoot/internal/history"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// FuzzVerify feeds arbitrary bytes to folkmoot verify's code. A history
// file comes from anyone, so whatever it holds, Verify must return (a
// summary or an error) and never panic; it says OK exactly when it returns
// no error, and what it accepts is the one encoding of its history. The
// seed is a small valid history (initiatives, laws, delegation and bad
// transactions among its blocks); the fuzzer mutates it.
func FuzzVerify(f *testing.F) {
	file, _, _ := simulate(f, 3, 4, 6)
	small, _, _ := smallHistory(f)
	f.Add(file)
	f.Add(small)
	f.Add([]byte{})
	f.Add(file[:len(file)/2])
	f.Fuzz(func(t *testing.T, raw []byte) {
		sum, err := history.Verify(bytes.NewReader(raw), history.Options{Workers: 1})
		if sum.OK != (err == nil) || (err == nil) != (sum.Error == "") {
			t.Fatalf("ok %v, error %q, returned %v", sum.OK, sum.Error, err)
		}
		if err != nil {
			return
		}
		if len(raw) == 0 {
			t.Fatal("an empty file verified")
		}
		h, blocks, rerr := readAll(raw)
		if rerr != nil {
			t.Fatalf("Verify accepts what the Reader refuses: %v", rerr)
		}
		if again := writeHistory(t, h, blocks); !bytes.Equal(again, raw) {
			t.Fatal("Verify accepted an encoding that is not the canonical one")
		}
	})
}

// FuzzReader feeds the history reader arbitrary bytes followed by up to
// 64 MiB of zeros (which the fuzzer cannot write itself, so that a length
// it announces can be filled). Whatever the input, the reader must not
// panic; every block it returns must be within the limits a node enforces
// (at most history.MaxTxsPerBlock transactions of tx.MinTxBytes to
// tx.MaxTxBytes bytes, at most tx.MaxBlockBytes together); what it returns
// must be the exact encoding of the bytes it consumed; and it must never
// pull from the input more than one item's limit beyond the items it
// returned, however long an item claims to be.
func FuzzReader(f *testing.F) {
	small, _, _ := smallHistory(f)
	f.Add(small, uint32(0))
	parts := items(f, small)
	header, block := parts[0], parts[1]
	f.Add(append(bytes.Clone(header), block[:len(block)/2]...), uint32(0))
	// A block whose array announces 2^20 transactions, and one whose first
	// transaction announces 64 MiB (filled by the zeros).
	f.Add(append(bytes.Clone(header), 0xa5, 0x00, 0x01, 0x01, 0x01, 0x02, 0x9a, 0x00, 0x10, 0x00, 0x00), uint32(1<<20))
	f.Add(append(bytes.Clone(header), 0xa5, 0x00, 0x01, 0x01, 0x01, 0x02, 0x81, 0x5a, 0x04, 0x00, 0x00, 0x00), uint32(64<<20))
	f.Fuzz(func(t *testing.T, raw []byte, pad uint32) {
		pad %= 64 << 20
		in := &counting{r: io.MultiReader(bytes.NewReader(raw), &zeros{int64(pad)})}
		r, err := history.NewReader(in)
		if err != nil {
			var re *history.ReadError
			if !errors.As(err, &re) || re.Height != 0 {
				t.Fatalf("header error %v is not a *ReadError at height 0", err)
			}
			if in.n > history.MaxHeaderBytes+readSlack {
				t.Fatalf("refusing the header, the reader pulled %d bytes", in.n)
			}
			return
		}
		h := r.Header()
		var blocks []history.Block
		for {
			b, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				var re *history.ReadError
				if !errors.As(err, &re) || re.Height != int64(len(blocks))+1 {
					t.Fatalf("error %v is not a *ReadError at height %d", err, len(blocks)+1)
				}
				break
			}
			if len(b.Txs) > history.MaxTxsPerBlock {
				t.Fatalf("block %d has %d transactions", b.Height, len(b.Txs))
			}
			total := 0
			for _, x := range b.Txs {
				if len(x) < tx.MinTxBytes || len(x) > tx.MaxTxBytes {
					t.Fatalf("block %d has a transaction of %d bytes", b.Height, len(x))
				}
				total += len(x)
			}
			if total > tx.MaxBlockBytes {
				t.Fatalf("block %d has %d bytes of transactions", b.Height, total)
			}
			blocks = append(blocks, b)
		}
		good := writeHistory(t, h, blocks)
		if int64(len(good)) > int64(len(raw))+int64(pad) || !bytes.HasPrefix(append(bytes.Clone(raw), make([]byte, min(int(pad), len(good)))...), good) {
			t.Fatal("what the reader returned is not the exact encoding of the bytes it read")
		}
		// The largest item limit is the header's.
		if in.n > int64(len(good))+history.MaxHeaderBytes+readSlack {
			t.Fatalf("the reader pulled %d bytes to return %d", in.n, len(good))
		}
	})
}

// readSlack is what the reader may read ahead: its 64 KiB buffer.
const readSlack = 64 << 10

// counting counts the bytes read through it.
type counting struct {
	r io.Reader
	n int64
}

func (c *counting) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
