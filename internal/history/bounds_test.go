package history_test

import (
	"bytes"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"

	"github.com/folkmoot/folkmoot/internal/core/coretest"
	"github.com/folkmoot/folkmoot/internal/history"
	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// allocated returns the bytes f allocates (runtime.MemStats.TotalAlloc,
// every goroutine's, so the test must not run in parallel with others).
// It bounds the peak from above and, unlike the peak, does not depend on
// when the collector runs.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// cborOf encodes v deterministically (as the writer does), for files the
// Writer would refuse to write.
func cborOf(t testing.TB, v any) []byte {
	t.Helper()
	em, err := cbor.CoreDetEncOptions().EncMode()
	if err != nil {
		t.Fatal(err)
	}
	b, err := em.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// rawBlock is a block item as raw fields: {0: height, 1: time, 2: txs,
// 3: codes, 4: app hash}, a second after the genesis.
func rawBlock(t testing.TB, txs [][]byte, codes []uint32) []byte {
	t.Helper()
	return cborOf(t, map[uint64]any{0: 1, 1: coretest.GenesisTime.Add(time.Second).UnixNano(), 2: txs, 3: codes, 4: make([]byte, 32)})
}

// bstrHead is the CBOR head of a byte string of n bytes (n ≥ 2^16).
func bstrHead(n uint32) []byte {
	return []byte{0x5a, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}
}

// zeros reads as n zero bytes without holding them.
type zeros struct{ n int64 }

func (z *zeros) Read(p []byte) (int, error) {
	if z.n <= 0 {
		return 0, io.EOF
	}
	k := int(min(int64(len(p)), z.n))
	clear(p[:k])
	z.n -= int64(k)
	return k, nil
}

// TestBlockBoundsLimitMemory is finding 9 of issue 10.
//
// Exploit: a 2 MB file, a valid header and one block of 2^20 empty
// transactions (each the one byte 0x40) with 2^20 result codes, made
// "folkmoot verify" allocate 438 MB and run 2.7 s: the reader accepted up
// to 2^20 array elements and byte strings of any length, and the replay
// made a rejection for each. Likewise a block item that announces one
// 64 MiB transaction was read whole into memory before anything looked at
// it. A node never commits such blocks: each transaction is at most
// tx.MaxTxBytes and at least tx.MinTxBytes, and a block's transactions
// fit in tx.MaxBlockBytes, the block.max_bytes of every genesis. The reader
// now refuses anything beyond those limits while decoding, before it
// holds more than one block's worth of bytes.
//
// The test measures the bytes allocated by a real Verify of each file.
func TestBlockBoundsLimitMemory(t *testing.T) {
	file, _, _ := simulate(t, 3, 1, 1)
	header := items(t, file)[0]
	one := make([]byte, tx.MinTxBytes)
	many := func(n, size int) [][]byte {
		out := make([][]byte, n)
		for i := range out {
			out[i] = make([]byte, size)
		}
		return out
	}
	tests := []struct {
		name     string
		file     io.Reader
		size     int64 // bytes of the file
		says     string
		maxAlloc uint64
	}{
		{"2^20 empty transactions", bytes.NewReader(append(bytes.Clone(header), rawBlock(t, many(1<<20, 0), make([]uint32, 1<<20))...)), 0,
			"a list is longer than the 36157 transactions a block can hold", 1 << 20},
		{"one transaction announced as 64 MiB", io.MultiReader(bytes.NewReader(header),
			bytes.NewReader([]byte{0xa5, 0x00, 0x01, 0x01, 0x01, 0x02, 0x81}), bytes.NewReader(bstrHead(64<<20)), &zeros{64 << 20}), 64 << 20,
			"larger than a block can be (", 24 << 20}, // the decoder's buffer doubling up to one block's limit (4.4 MiB)
		{"a transaction over tx.MaxTxBytes", bytes.NewReader(append(bytes.Clone(header), rawBlock(t, many(1, tx.MaxTxBytes+1), make([]uint32, 1))...)), 0,
			"over the limit of 65536 bytes", 4 << 20},
		{"a transaction under tx.MinTxBytes", bytes.NewReader(append(bytes.Clone(header), rawBlock(t, many(1, tx.MinTxBytes-1), make([]uint32, 1))...)), 0,
			"shorter than the shortest transaction", 1 << 20},
		{"transactions over tx.MaxBlockBytes", bytes.NewReader(append(bytes.Clone(header),
			rawBlock(t, many(tx.MaxBlockBytes/tx.MaxTxBytes+1, tx.MaxTxBytes), make([]uint32, tx.MaxBlockBytes/tx.MaxTxBytes+1))...)), 0,
			"over the limit of 4194304 bytes for a block", 64 << 20},
		{"a header announcing a 1 GiB genesis", io.MultiReader(bytes.NewReader(header[:1]), bytes.NewReader([]byte{0x04, 0x5a, 0x40, 0, 0, 0}), &zeros{1 << 30}), 1 << 30,
			"larger than a header can be (16777216 bytes)", 80 << 20}, // as above, up to history.MaxHeaderBytes
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			got := allocated(func() { _, err = history.Verify(tt.file, history.Options{Workers: 1}) })
			t.Logf("allocated %.1f MB: %v", float64(got)/(1<<20), err)
			if err == nil || !strings.Contains(err.Error(), tt.says) {
				t.Fatalf("error %v, want one saying %q", err, tt.says)
			}
			if got > tt.maxAlloc {
				t.Fatalf("Verify allocated %d bytes, want at most %d", got, tt.maxAlloc)
			}
		})
	}

	// The worst block within the bounds: as many of the shortest
	// transactions as fit, each one the replay refuses. What Verify
	// allocates stays a small multiple of the block.
	n := tx.MaxBlockBytes / tx.MinTxBytes
	txs, codes := make([][]byte, n), make([]uint32, n)
	for i := range txs {
		txs[i], codes[i] = one, uint32(reject.Malformed)
	}
	worst := append(bytes.Clone(header), rawBlock(t, txs, codes)...)
	var err error
	got := allocated(func() { _, err = history.Verify(bytes.NewReader(worst), history.Options{Workers: 1}) })
	t.Logf("worst block within the bounds: %d transactions, %.1f MB file, allocated %.1f MB (%v)", n, float64(len(worst))/(1<<20), float64(got)/(1<<20), err)
	if got > 32*uint64(len(worst)) {
		t.Fatalf("Verify allocated %d bytes for a %d-byte file", got, len(worst))
	}
}

// items splits a history file into its CBOR items (the header, then one
// per block).
func items(t testing.TB, file []byte) []cbor.RawMessage {
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
