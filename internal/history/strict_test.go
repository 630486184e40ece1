package history_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/folkmoot/folkmoot/internal/core/coretest"
	"github.com/folkmoot/folkmoot/internal/history"
)

// writeHistory writes a history file of the given header and blocks.
func writeHistory(t testing.TB, h history.Header, blocks []history.Block) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := history.NewWriter(&buf, h)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range blocks {
		if err := w.WriteBlock(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// smallHistory is a short history with every shape of block: empty ones
// (their transaction lists are CBOR null), one with a single transaction,
// and some with transactions the replay rejects.
func smallHistory(t testing.TB) ([]byte, history.Header, []history.Block) {
	t.Helper()
	sim := coretest.NewSim(21, 4)
	root := sim.State.Root()
	h := history.Header{ChainID: coretest.ChainID, GenesisTime: coretest.GenesisTime.UnixNano(), AppState: sim.AppState, GenesisRoot: root[:]}
	var blocks []history.Block
	for i, n := range []int{3, 0, 1, 4, 0, 3} {
		sim.BadShare = 0
		if i >= 3 {
			sim.BadShare = 0.5
		}
		b, res := sim.Block(n)
		hb := history.Block{Height: b.Height, Time: b.Time.UnixNano(), Txs: b.Txs, AppHash: res.Root[:]}
		for _, r := range res.Txs {
			hb.Codes = append(hb.Codes, uint32(r.Code))
		}
		blocks = append(blocks, hb)
	}
	file := writeHistory(t, h, blocks)
	var empty, rejected int
	for _, b := range blocks {
		if len(b.Txs) == 0 {
			empty++
		}
		for _, c := range b.Codes {
			if c != 0 {
				rejected++
			}
		}
	}
	if empty == 0 || rejected == 0 {
		t.Fatalf("the small history has %d empty blocks and %d rejected transactions", empty, rejected)
	}
	return file, h, blocks
}

// readAll reads a whole history file with a Reader.
func readAll(file []byte) (history.Header, []history.Block, error) {
	r, err := history.NewReader(bytes.NewReader(file))
	if err != nil {
		return history.Header{}, nil, err
	}
	var blocks []history.Block
	for {
		b, err := r.Next()
		if errors.Is(err, io.EOF) {
			return r.Header(), blocks, nil
		}
		if err != nil {
			return history.Header{}, nil, err
		}
		blocks = append(blocks, b)
	}
}

// TestHistoryReaderIsStrict is finding 10 of issue 10.
//
// Exploit: the reader decoded leniently, so one history had many
// encodings. Changing the CBOR null (0xf6) of an empty block's transaction
// list to CBOR undefined (0xf7) gave a different file that still verified
// ("result OK"), and about 3% of the single-byte changes of a demo
// history were accepted: non-minimal integer and length heads, undefined
// for null, reordered or re-sized items. A file whose bytes can change
// while it still verifies cannot be compared or signed by its hash.
//
// The test changes every byte of a small history, to each value one bit
// away. The property: a changed file is refused, unless it is the exact
// encoding of what it decodes to (writing what the reader read gives back
// the same bytes) and it differs from the original only where a history
// is not bound by its app hashes: the bytes of a transaction the replay
// rejects (with the same code), or a block time that changes no result.
// Never two encodings of one history.
func TestHistoryReaderIsStrict(t *testing.T) {
	file, h, blocks := smallHistory(t)
	if sum, err := history.Verify(bytes.NewReader(file), history.Options{Workers: 1}); err != nil || !sum.OK {
		t.Fatalf("untouched: %v", err)
	}
	var tried, accepted, legal int
	var bad []string
	for i := range file {
		for bit := range 8 {
			flipped := bytes.Clone(file)
			flipped[i] ^= 1 << bit
			tried++
			if _, err := history.Verify(bytes.NewReader(flipped), history.Options{Workers: 1}); err != nil {
				continue
			}
			accepted++
			gh, gb, err := readAll(flipped)
			if err != nil {
				t.Fatalf("byte %d bit %d: Verify accepts what the Reader refuses: %v", i, bit, err)
			}
			if again := writeHistory(t, gh, gb); !bytes.Equal(again, flipped) {
				bad = append(bad, fmt.Sprintf("byte %d (%#02x→%#02x): not the canonical encoding of what it decodes to", i, file[i], flipped[i]))
				continue
			}
			if why := legalChange(h, blocks, gh, gb); why != "" {
				legal++
				t.Logf("byte %d (%#02x→%#02x) accepted: %s", i, file[i], flipped[i], why)
				continue
			}
			bad = append(bad, fmt.Sprintf("byte %d (%#02x→%#02x): accepted, and not a change the history leaves unbound", i, file[i], flipped[i]))
		}
	}
	t.Logf("bit flips: %d bytes, %d changes tried, %d accepted (%.2f%%), %d of them legal alternative values",
		len(file), tried, accepted, 100*float64(accepted)/float64(tried), legal)

	// Every other value of every byte that is CBOR structure (a head: a
	// type, a length, an integer, null) rather than the contents of a
	// string, read with the Reader alone: whatever it accepts must be the
	// exact encoding of what it read.
	heads := cborHeads(t, file)
	var readTried, readAccepted int
	for _, i := range heads {
		for v := range 256 {
			if byte(v) == file[i] {
				continue
			}
			flipped := bytes.Clone(file)
			flipped[i] = byte(v)
			readTried++
			gh, gb, err := readAll(flipped)
			if err != nil {
				continue
			}
			readAccepted++
			if again := writeHistory(t, gh, gb); !bytes.Equal(again, flipped) {
				bad = append(bad, fmt.Sprintf("byte %d (%#02x→%#02x): the Reader accepts an encoding that is not canonical", i, file[i], v))
			}
		}
	}
	t.Logf("every value of the %d head bytes: %d files, %d read (%.2f%%)", len(heads), readTried, readAccepted, 100*float64(readAccepted)/float64(readTried))
	if len(bad) > 0 {
		t.Fatalf("%d changes accepted wrongly; the first ones:\n%s", len(bad), strings.Join(bad[:min(len(bad), 10)], "\n"))
	}
}

// cborHeads returns the offsets of the head bytes of every data item in
// a CBOR sequence of definite-length items: everything but the contents
// of byte and text strings.
func cborHeads(t testing.TB, data []byte) []int {
	t.Helper()
	var out []int
	var item func(p int) int
	item = func(p int) int {
		major, info := data[p]>>5, data[p]&31
		n := 1
		var arg uint64
		switch {
		case info < 24:
			arg = uint64(info)
		case info <= 27:
			n += 1 << (info - 24)
			for _, c := range data[p+1 : p+n] {
				arg = arg<<8 | uint64(c)
			}
		default:
			t.Fatalf("offset %d: indefinite length or reserved head %#02x", p, data[p])
		}
		for i := p; i < p+n; i++ {
			out = append(out, i)
		}
		p += n
		switch major {
		case 2, 3:
			return p + int(arg)
		case 4:
			for range arg {
				p = item(p)
			}
		case 5:
			for range 2 * arg {
				p = item(p)
			}
		case 6:
			return item(p)
		}
		return p
	}
	for p := 0; p < len(data); {
		p = item(p)
	}
	return out
}

// legalChange says why history (gh, gb) may verify although it differs
// from (h, blocks): only the bytes of rejected transactions (same codes)
// and block times differ. It returns "" for any other difference.
func legalChange(h history.Header, blocks []history.Block, gh history.Header, gb []history.Block) string {
	if gh.ChainID != h.ChainID || gh.GenesisTime != h.GenesisTime || !bytes.Equal(gh.AppState, h.AppState) ||
		!bytes.Equal(gh.GenesisRoot, h.GenesisRoot) || len(gb) != len(blocks) {
		return ""
	}
	var why string
	for i, b := range blocks {
		g := gb[i]
		if g.Height != b.Height || !slices.Equal(g.Codes, b.Codes) || !bytes.Equal(g.AppHash, b.AppHash) || len(g.Txs) != len(b.Txs) {
			return ""
		}
		if g.Time != b.Time {
			why += fmt.Sprintf("block %d's time changed by %dns and no result with it; ", b.Height, g.Time-b.Time)
		}
		for j := range b.Txs {
			if !bytes.Equal(g.Txs[j], b.Txs[j]) {
				if b.Codes[j] == 0 {
					return ""
				}
				why += fmt.Sprintf("block %d, rejected transaction %d changed, still rejected with code %d; ", b.Height, j, b.Codes[j])
			}
		}
	}
	return why
}
