// Package history reads, writes and verifies folkmoot history files: the
// whole public record of a community, from which anyone can recompute every
// result and app hash offline.
//
// Format, version 1. A history file is a CBOR sequence (RFC 8742): one
// header item followed by one item per block, in height order, each the
// deterministic CBOR encoding of a map with integer keys:
//
//	header: {0: "folkmoot-history", 1: 1 (version), 2: chain id,
//	         3: genesis time (Unix ns), 4: genesis app_state (JSON bytes),
//	         5: accumulator root after genesis (32 bytes)}
//	block:  {0: height (from 1, contiguous), 1: block time (Unix ns),
//	         2: [signed transactions (bytes)], 3: [result code per tx],
//	         4: app hash after the block (32 bytes)}
//
// Every item is the one deterministic encoding of its value (RFC 8949
// §4.2.1, core deterministic): shortest heads, definite lengths, keys in
// order, no tags, every field present. An empty list (a block without
// transactions) is null, never []; a transaction is a byte string, never
// null. The reader refuses any other encoding, so a history has exactly one
// file and a file's hash names its history.
//
// The reader holds a file to the limits a node enforces, while decoding and
// before it holds more than one item's worth of bytes: a transaction is
// tx.MinTxBytes to tx.MaxTxBytes long, a block's transactions together at
// most tx.MaxBlockBytes (so at most MaxTxsPerBlock of them), and the header
// at most MaxHeaderBytes. A node never commits a block beyond these, so a
// file that has one was not exported from a node; refusing it early keeps
// verify's memory proportional to one honest block.
//
// The codes and app hashes are what the exporting node claims; Verify
// recomputes them from the genesis and the transactions alone and names the
// first height where a claim and the recomputation differ.
package history

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/fxamacker/cbor/v2"

	"github.com/folkmoot/folkmoot/internal/tx"
)

// MaxTxsPerBlock is the most transactions a block can hold: as many of the
// shortest transactions as fit in the block size limit.
const MaxTxsPerBlock = tx.MaxBlockBytes / tx.MinTxBytes

// MaxHeaderBytes is the largest header item the reader accepts. The header
// is mostly the genesis app_state, which export fetches from a node's
// /genesis; CometBFT serves a genesis there only up to 16 MiB (its
// unexported rpc/core genesisChunkSize), so no exported file has more.
const MaxHeaderBytes = 16 << 20

// maxBlockItem is the largest encoding of a block within the limits: the
// transactions' bytes, a head of at most 5 bytes for each transaction and
// each result code, and at most 64 bytes for the map, its keys, the height,
// the time, the two list heads and the app hash.
const maxBlockItem = tx.MaxBlockBytes + 10*MaxTxsPerBlock + 64

// Format is the value of the header's format field.
const Format = "folkmoot-history"

// Version is the history format version written by this package.
const Version = 1

// Header opens a history file.
type Header struct {
	Format      string `cbor:"0,keyasint"`
	Version     uint64 `cbor:"1,keyasint"`
	ChainID     string `cbor:"2,keyasint"`
	GenesisTime int64  `cbor:"3,keyasint"`
	AppState    []byte `cbor:"4,keyasint"`
	GenesisRoot []byte `cbor:"5,keyasint"`
}

// Block is one block of the history.
type Block struct {
	Height  int64    `cbor:"0,keyasint"`
	Time    int64    `cbor:"1,keyasint"`
	Txs     [][]byte `cbor:"2,keyasint"`
	Codes   []uint32 `cbor:"3,keyasint"`
	AppHash []byte   `cbor:"4,keyasint"`
}

// Writer writes a history file.
type Writer struct {
	w    *bufio.Writer
	enc  *cbor.Encoder
	last int64
}

// NewWriter writes the header and returns a Writer for the blocks.
func NewWriter(w io.Writer, h Header) (*Writer, error) {
	h.Format, h.Version = Format, Version
	h = h.canonical()
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := encMode.NewEncoder(bw)
	if err := enc.Encode(h); err != nil {
		return nil, fmt.Errorf("write history header: %w", err)
	}
	return &Writer{w: bw, enc: enc}, nil
}

// WriteBlock appends a block; heights must follow each other from 1, and
// the block must be within the limits the reader holds it to.
func (w *Writer) WriteBlock(b Block) error {
	if b.Height != w.last+1 {
		return fmt.Errorf("write history: block %d after block %d", b.Height, w.last)
	}
	if len(b.Codes) != len(b.Txs) {
		return fmt.Errorf("write history: block %d has %d txs but %d codes", b.Height, len(b.Txs), len(b.Codes))
	}
	if err := checkSizes(b); err != nil {
		return fmt.Errorf("write history block %d: %w; no reader would accept it", b.Height, err)
	}
	if err := w.enc.Encode(b.canonical()); err != nil {
		return fmt.Errorf("write history block %d: %w", b.Height, err)
	}
	w.last = b.Height
	return nil
}

// Close flushes buffered output (it does not close the underlying writer).
func (w *Writer) Close() error {
	if err := w.w.Flush(); err != nil {
		return fmt.Errorf("write history: %w", err)
	}
	return nil
}

// Reader reads a history file.
type Reader struct {
	dec    *cbor.Decoder
	in     *itemLimit
	header Header
	last   int64
}

// itemLimit stops the decoder from reading more than one item's limit
// past the start of the item it decodes, however long a length the item
// announces.
type itemLimit struct {
	r    io.Reader
	read int64 // bytes handed to the decoder
	max  int64 // read may not pass this
	over *tooLargeError
}

// tooLargeError is the cause of a ReadError for an item over its limit.
type tooLargeError struct {
	what  string // "a block"
	bytes int64
}

func (e *tooLargeError) Error() string {
	return fmt.Sprintf("it is larger than %s can be (%d bytes)", e.what, e.bytes)
}

func (l *itemLimit) Read(p []byte) (int, error) {
	if l.read >= l.max {
		return 0, l.over
	}
	if rest := l.max - l.read; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := l.r.Read(p)
	l.read += int64(n)
	return n, err
}

// limit lets the decoder read the next item, which starts after what it
// has consumed so far, up to max bytes.
func (r *Reader) limit(max int64, what string) {
	r.in.max = int64(r.dec.NumBytesRead()) + max
	r.in.over = &tooLargeError{what: what, bytes: max}
}

// ReadError says which part of a history file cannot be read, and why.
type ReadError struct {
	// Height is the height of the block that cannot be read, or 0 for
	// the header.
	Height int64 `json:"height"`
	// What says what is wrong, in a sentence.
	What string `json:"what"`
	err  error
}

func readError(height int64, err error) *ReadError {
	return &ReadError{Height: height, What: err.Error(), err: err}
}

// Error names the height: "cannot read the header: …" or "cannot read
// the block at height 4: …".
func (e *ReadError) Error() string {
	if e.Height == 0 {
		return "cannot read the header: " + e.What
	}
	return fmt.Sprintf("cannot read the block at height %d: %s", e.Height, e.What)
}

// Unwrap returns the cause.
func (e *ReadError) Unwrap() error { return e.err }

// NewReader reads and checks the header. A failure is a *ReadError.
func NewReader(r io.Reader) (*Reader, error) {
	in := &itemLimit{r: bufio.NewReaderSize(r, 64<<10)}
	hr := &Reader{dec: decMode.NewDecoder(in), in: in}
	hr.limit(MaxHeaderBytes, "a header")
	var h Header
	err := strictDecode(hr.dec, &h, Header.canonical)
	if errors.Is(err, io.EOF) {
		return nil, readError(0, errors.New("the file is empty"))
	}
	if _, ok := errors.AsType[*tooLargeError](err); ok {
		return nil, readError(0, err)
	}
	if err != nil {
		return nil, readError(0, fmt.Errorf("not a folkmoot history file (%w)", err))
	}
	if h.Format != Format {
		return nil, readError(0, fmt.Errorf("format %q is not %q", h.Format, Format))
	}
	if h.Version != Version {
		return nil, readError(0, fmt.Errorf("version %d; this build reads version %d", h.Version, Version))
	}
	if len(h.GenesisRoot) != 32 {
		return nil, readError(0, errors.New("the genesis root must be 32 bytes"))
	}
	hr.header = h
	return hr, nil
}

// Header returns the header.
func (r *Reader) Header() Header { return r.header }

// Next returns the next block, or io.EOF after the last one. A failure is
// a *ReadError naming the height it expected.
func (r *Reader) Next() (Block, error) {
	var b Block
	want := r.last + 1
	r.limit(maxBlockItem, "a block")
	if err := strictDecode(r.dec, &b, Block.canonical); err != nil {
		if errors.Is(err, io.EOF) {
			return b, io.EOF
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return b, readError(want, fmt.Errorf("the file ends inside it (%w)", err))
		}
		if _, ok := errors.AsType[*cbor.MaxArrayElementsError](err); ok {
			return b, readError(want, fmt.Errorf("a list is longer than the %d transactions a block can hold (%w)", MaxTxsPerBlock, err))
		}
		return b, readError(want, err)
	}
	if b.Height != want {
		return b, readError(want, fmt.Errorf("the file has block %d after block %d; a block is missing or out of order", b.Height, r.last))
	}
	if len(b.Codes) != len(b.Txs) {
		return b, readError(want, fmt.Errorf("%d transactions but %d result codes", len(b.Txs), len(b.Codes)))
	}
	if len(b.AppHash) != 32 {
		return b, readError(want, errors.New("the app hash must be 32 bytes"))
	}
	if err := checkSizes(b); err != nil {
		return b, readError(want, err)
	}
	r.last = b.Height
	return b, nil
}

// checkSizes holds a block to the limits a node enforces.
func checkSizes(b Block) error {
	if len(b.Txs) > MaxTxsPerBlock {
		return fmt.Errorf("%d transactions; a block holds at most %d", len(b.Txs), MaxTxsPerBlock)
	}
	total := 0
	for i, t := range b.Txs {
		switch {
		case len(t) > tx.MaxTxBytes:
			return fmt.Errorf("transaction %d has %d bytes, over the limit of %d bytes", i, len(t), tx.MaxTxBytes)
		case len(t) < tx.MinTxBytes:
			return fmt.Errorf("transaction %d has %d bytes, shorter than the shortest transaction (%d bytes)", i, len(t), tx.MinTxBytes)
		}
		total += len(t)
	}
	if total > tx.MaxBlockBytes {
		return fmt.Errorf("its transactions have %d bytes, over the limit of %d bytes for a block", total, tx.MaxBlockBytes)
	}
	return nil
}

// errNotCanonical is the cause of a ReadError for an item that decodes
// but is not the one encoding of its value.
var errNotCanonical = errors.New("not in canonical form (a history has exactly one encoding; this item has been altered)")

// strictDecode reads one item into v, and refuses it unless encoding what
// it decoded to, in its canonical form, gives back the same bytes: the
// same test internal/tx applies to transactions.
func strictDecode[T any](dec *cbor.Decoder, v *T, canonical func(T) T) error {
	var raw cbor.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return err
	}
	if err := decMode.Unmarshal(raw, v); err != nil {
		return err
	}
	again, err := encMode.Marshal(canonical(*v))
	if err != nil {
		return err
	}
	if !bytes.Equal(again, raw) {
		return errNotCanonical
	}
	return nil
}

// canonical returns h with its empty byte string as null, as written.
func (h Header) canonical() Header {
	if len(h.AppState) == 0 {
		h.AppState = nil
	}
	return h
}

// canonical returns b in the form it is written: empty lists as null and
// every transaction as a byte string (an absent one as an empty one). It
// does not change the caller's slices.
func (b Block) canonical() Block {
	if len(b.Txs) == 0 {
		b.Txs = nil
	}
	if len(b.Codes) == 0 {
		b.Codes = nil
	}
	if slices.ContainsFunc(b.Txs, func(t []byte) bool { return t == nil }) {
		txs := make([][]byte, len(b.Txs))
		for i, t := range b.Txs {
			if t == nil {
				t = []byte{}
			}
			txs[i] = t
		}
		b.Txs = txs
	}
	return b
}

var (
	encMode = func() cbor.EncMode {
		m, err := cbor.CoreDetEncOptions().EncMode()
		if err != nil {
			panic(err)
		}
		return m
	}()
	decMode = func() cbor.DecMode {
		m, err := cbor.DecOptions{
			MaxArrayElements:  MaxTxsPerBlock,
			ExtraReturnErrors: cbor.ExtraDecErrorUnknownField,
			DupMapKey:         cbor.DupMapKeyEnforcedAPF,
			IndefLength:       cbor.IndefLengthForbidden,
			TagsMd:            cbor.TagsForbidden,
			UTF8:              cbor.UTF8RejectInvalid,
			MaxNestedLevels:   4,
		}.DecMode()
		if err != nil {
			panic(err)
		}
		return m
	}()
)
