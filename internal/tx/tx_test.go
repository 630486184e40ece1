package tx

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/fxamacker/cbor/v2"

	"github.com/folkmoot/folkmoot/internal/reject"
)

var testPriv = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))

func testAuthor() PublicKey {
	var k PublicKey
	copy(k[:], testPriv.Public().(ed25519.PublicKey))
	return k
}

func sign(t testing.TB, body Body) []byte {
	t.Helper()
	b, err := Sign(testPriv, Unsigned{ChainID: "town-1", Author: testAuthor(), Nonce: 1, Body: body})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRoundTrip(t *testing.T) {
	bodies := []Body{
		&Vouch{Key: testKey(), Name: "Zoë"},
		&Leave{},
		&Rotate{NewKey: testKey(), Proof: make([]byte, 64)},
		&Propose{Title: "Fix the bridge", Body: "## Why\n\nIt *creaks*.", Category: "budget", Opens: 100, Closes: 200},
		&Propose{Title: "Now", Category: "general", Closes: 200},
		&Propose{Title: "Quiet hours", Category: "rules", Closes: 200, Type: "ordinary", Measure: Enact, Sunset: 3600},
		&Propose{Title: "Keep them", Category: "rules", Closes: 200, Measure: Renew, Law: 7, Sunset: 60},
		&Propose{Title: "Drop them", Category: "rules", Closes: 200, Measure: Repeal, Law: 7},
		&Propose{Title: "Two thirds", Category: "rules", Closes: 200, Measure: Amend, Rules: `{"threshold": ">=2/3"}`},
		&Propose{Title: "Car-free Sundays", Category: "general", Measure: Enact, Initiative: true},
		&Withdraw{Proposal: 3},
		&Comment{Proposal: 1, ReplyTo: 2, Text: "Agreed"},
		&Comment{Proposal: 1, Text: "First"},
		&Endorse{Proposal: 9},
		&Ballot{Proposal: 1, Choice: Abstain},
		&Delegate{Category: "budget", To: make([]byte, 32)},
		&Delegate{Category: "budget", Member: 12},
		&Undelegate{Category: "budget"},
		&Propose{Title: "Roof", Category: "budget", Closes: 200, Type: "budget", Amount: 120000},
		&Candidacy{Election: 4},
		&WithdrawCandidacy{Election: 4},
		&Rank{Election: 4, Ranking: []uint32{7, 3, 12}},
		&Recall{Office: "treasurer", Member: 4},
		&Notice{Office: "clerk", Title: "Assembly", Text: "Thursday at eight."},
		&Payment{Office: "treasurer", Budget: 9, Amount: 12000, Payee: "Hall Builders", Memo: "roof"},
		&Payment{Office: "treasurer", Budget: 9, Amount: 1, Payee: "Hall Builders"},
	}
	for _, body := range bodies {
		t.Run(body.Kind().String(), func(t *testing.T) {
			raw := sign(t, body)
			got, err := Decode(raw)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if got.Kind != body.Kind() || got.ChainID != "town-1" || got.Nonce != 1 || got.Author != testAuthor() {
				t.Fatalf("decoded envelope %+v", got)
			}
			if got.ID() != sha256.Sum256(raw) {
				t.Fatal("id is not SHA-256 of the signed bytes")
			}
			if err := got.CheckSignature(); err != nil {
				t.Fatal(err)
			}
			again, _ := cbor.Marshal(got.Body)
			want, _ := cbor.Marshal(body)
			if !bytes.Equal(again, want) {
				t.Fatalf("body changed in the round trip")
			}
			if !bytes.HasPrefix(got.SignBytes(), []byte(SignPrefix)) {
				t.Fatal("sign bytes lack the domain prefix")
			}
		})
	}
}

// TestPlainProposalEncodingUnchanged pins the bytes of a proposal without
// the optional fields of amendable constitutions and laws: they are omitted
// when zero, so every transaction signed before they existed still decodes
// to the same body and id.
func TestPlainProposalEncodingUnchanged(t *testing.T) {
	got, err := cbor.Marshal(&Propose{Title: "t", Category: "general", Closes: 9})
	if err != nil {
		t.Fatal(err)
	}
	want := rawMap(kv{0, "t"}, kv{1, ""}, kv{2, "general"}, kv{4, 9})
	if !bytes.Equal(got, want) {
		t.Fatalf("plain proposal encodes as %x, want %x", got, want)
	}
	for m := Resolution; m <= Amend; m++ {
		if back, err := ParseMeasure(m.String()); err != nil || back != m {
			t.Fatalf("measure %d: %v %v", m, back, err)
		}
	}
	if _, err := ParseMeasure("decree"); err == nil {
		t.Fatal("ParseMeasure accepted decree")
	}
	// An initiative carries key 11 and no times.
	got, err = cbor.Marshal(&Propose{Title: "t", Category: "general", Initiative: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := rawMap(kv{0, "t"}, kv{1, ""}, kv{2, "general"}, kv{4, 0}, kv{11, true}); !bytes.Equal(got, want) {
		t.Fatalf("initiative encodes as %x, want %x", got, want)
	}
}

// kv is one map entry, encoded in the order given.
type kv struct {
	k any
	v any
}

// rawMap encodes entries in the given order, each item canonically; raw
// []byte values are spliced in as they are.
func rawMap(entries ...kv) []byte {
	b := []byte{0xa0 + byte(len(entries))}
	for _, e := range entries {
		kb, _ := cbor.Marshal(e.k)
		b = append(b, kb...)
		if r, ok := e.v.(cbor.RawMessage); ok {
			b = append(b, r...)
			continue
		}
		vb, _ := cbor.Marshal(e.v)
		b = append(b, vb...)
	}
	return b
}

func signedWith(payload []byte) []byte {
	raw, _ := Assemble(payload, ed25519.Sign(testPriv, signBytes(payload)))
	return raw
}

func TestDecodeRejects(t *testing.T) {
	author := testAuthor()
	body := cbor.RawMessage(rawMap(kv{0, uint64(1)}, kv{1, uint64(1)})) // ballot on 1: yes
	good := []kv{{0, 1}, {1, "town-1"}, {2, author[:]}, {3, 1}, {4, uint64(KindBallot)}, {5, body}}
	with := func(edit func([]kv) []kv) []byte {
		return signedWith(rawMap(edit(append([]kv(nil), good...))...))
	}
	if _, err := Decode(with(func(e []kv) []kv { return e })); err != nil {
		t.Fatalf("the hand-built transaction should decode: %v", err)
	}
	valid := with(func(e []kv) []kv { return e })
	tests := []struct {
		name string
		raw  []byte
		code reject.Code
		says string
	}{
		{"empty", nil, reject.Malformed, "envelope"},
		{"trailing byte", append(bytes.Clone(valid), 0x00), reject.Malformed, "envelope"},
		{"oversize", make([]byte, MaxTxBytes+1), reject.TooLarge, "65537 bytes"},
		{"unsorted keys", with(func(e []kv) []kv { e[0], e[1] = e[1], e[0]; return e }), reject.Malformed, "canonical"},
		{"duplicate key", with(func(e []kv) []kv { return append(e, kv{3, 1}) }), reject.Malformed, "payload"},
		{"unknown field", with(func(e []kv) []kv { return append(e, kv{9, 1}) }), reject.Malformed, "payload"},
		{"missing author", with(func(e []kv) []kv { return append(e[:2], e[3:]...) }), reject.Malformed, "canonical"},
		{"short author", with(func(e []kv) []kv { e[2] = kv{2, author[:31]}; return e }), reject.BadKey, "author key must be 32 bytes"},
		{"non-minimal integer", signedWith(bytes.Replace(rawMap(good...), []byte{0x03, 0x01}, []byte{0x03, 0x18, 0x01}, 1)), reject.Malformed, "canonical"},
		{"indefinite-length map", signedWith(append(append([]byte{0xbf}, rawMap(good...)[1:]...), 0xff)), reject.Malformed, "payload"},
		{"tagged value", with(func(e []kv) []kv { e[3] = kv{3, cbor.RawMessage{0xc1, 0x01}}; return e }), reject.Malformed, "payload"},
		{"version 2", with(func(e []kv) []kv { e[0] = kv{0, 2}; return e }), reject.BadVersion, "version 2"},
		{"empty chain id", with(func(e []kv) []kv { e[1] = kv{1, ""}; return e }), reject.Malformed, "chain id"},
		{"chain id with space", with(func(e []kv) []kv { e[1] = kv{1, "my town"}; return e }), reject.Malformed, "chain id"},
		{"invalid UTF-8 in chain id", with(func(e []kv) []kv { e[1] = kv{1, cbor.RawMessage{0x62, 0xff, 0xfe}}; return e }), reject.Malformed, "payload"},
		{"unknown kind", with(func(e []kv) []kv { e[4] = kv{4, 999}; return e }), reject.UnknownKind, "unknown kind 999"},
		{"body with unknown field", with(func(e []kv) []kv {
			e[5] = kv{5, cbor.RawMessage(rawMap(kv{0, 1}, kv{1, 1}, kv{7, 1}))}
			return e
		}), reject.Malformed, "ballot body"},
		{"body of the wrong shape", with(func(e []kv) []kv { e[5] = kv{5, cbor.RawMessage{0x01}}; return e }), reject.Malformed, "ballot body"},
		{"body with explicit zero reply", func() []byte {
			c := rawMap(kv{0, 1}, kv{1, 0}, kv{2, "x"})
			return with(func(e []kv) []kv { e[4] = kv{4, uint64(KindComment)}; e[5] = kv{5, cbor.RawMessage(c)}; return e })
		}(), reject.Malformed, "comment body"},
		{"short signature", func() []byte {
			r, _ := Assemble(rawMap(good...), make([]byte, 63))
			return r
		}(), reject.Malformed, "64 bytes"},
		{"propose body with explicit zero measure", func() []byte {
			p := rawMap(kv{0, "t"}, kv{1, ""}, kv{2, "general"}, kv{4, 9}, kv{6, 0})
			return with(func(e []kv) []kv { e[4] = kv{4, uint64(KindPropose)}; e[5] = kv{5, cbor.RawMessage(p)}; return e })
		}(), reject.Malformed, "propose body"},
		{"propose body with unknown field 99", func() []byte {
			p := rawMap(kv{0, "t"}, kv{1, ""}, kv{2, "general"}, kv{4, 9}, kv{99, 1})
			return with(func(e []kv) []kv { e[4] = kv{4, uint64(KindPropose)}; e[5] = kv{5, cbor.RawMessage(p)}; return e })
		}(), reject.Malformed, "propose body"},
		{"proposal 0", with(func(e []kv) []kv { e[5] = kv{5, cbor.RawMessage(rawMap(kv{0, 0}, kv{1, 1}))}; return e }), reject.BadBody, "start at 1"},
		{"choice 0", with(func(e []kv) []kv { e[5] = kv{5, cbor.RawMessage(rawMap(kv{0, 1}, kv{1, 0}))}; return e }), reject.BadChoice, "choice 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode(tt.raw)
			if err == nil {
				t.Fatalf("decoded %+v", got)
			}
			if err.Code != tt.code || !strings.Contains(err.Msg, tt.says) {
				t.Fatalf("got %d %q, want %d saying %q", err.Code, err.Msg, tt.code, tt.says)
			}
		})
	}
}

func TestTextLimits(t *testing.T) {
	tests := []struct {
		name string
		body Body
		says string
	}{
		{"name too long", &Vouch{Key: testKey(), Name: strings.Repeat("a", MaxName+1)}, "65 characters; at most 64"},
		{"name with newline", &Vouch{Key: testKey(), Name: "a\nb"}, "control character"},
		{"name padded", &Vouch{Key: testKey(), Name: "ann "}, "starts or ends with a space"},
		{"empty title", &Propose{Category: "general", Closes: 9}, "title is empty"},
		{"body too long", &Propose{Title: "t", Category: "general", Closes: 9, Body: strings.Repeat("x", MaxBodyBytes+1)}, "32769 bytes"},
		{"body with NUL", &Propose{Title: "t", Category: "general", Closes: 9, Body: "a\x00b"}, "control character"},
		{"comment too long", &Comment{Proposal: 1, Text: strings.Repeat("x", MaxCommentBytes+1)}, "at most 8192"},
		{"negative opening", &Propose{Title: "t", Category: "general", Opens: -1, Closes: 9}, "positive"},
		{"type name too long", &Propose{Title: "t", Category: "general", Closes: 9, Type: strings.Repeat("t", MaxTypeName+1)}, "decision type has 41 characters; at most 40"},
		{"rules too long", &Propose{Title: "t", Category: "general", Closes: 9, Measure: Amend, Rules: `{"name":"` + strings.Repeat("x", MaxRulesBytes) + `"}`}, "at most 16384"},
		{"rules not JSON", &Propose{Title: "t", Category: "general", Closes: 9, Measure: Amend, Rules: `{quorum: 1/2}`}, "must be a JSON object"},
		{"negative sunset", &Propose{Title: "t", Category: "general", Closes: 9, Measure: Enact, Sunset: -5}, "sunset must be 1 to"},
		{"sunset on a repeal", &Propose{Title: "t", Category: "general", Closes: 9, Measure: Repeal, Law: 1, Sunset: 5}, "a repeal has no sunset"},
		{"law on a resolution", &Propose{Title: "t", Category: "general", Closes: 9, Law: 1}, "a resolution does not name a law"},
		{"initiative with a close", &Propose{Title: "t", Category: "general", Closes: 9, Initiative: true}, "an initiative names no voting times"},
		{"initiative with an opening", &Propose{Title: "t", Category: "general", Opens: 9, Initiative: true}, "an initiative names no voting times"},
		{"proposal without a close", &Propose{Title: "t", Category: "general"}, "must be positive Unix seconds"},
		// The security review's finding 6: "\u202egnp.exe" reads
		// "exe.png"; a zero-width space makes two names look the same.
		{"name with a right-to-left override", &Vouch{Key: testKey(), Name: "\u202egnp.exe"}, "invisible character (U+202E)"},
		{"name with an isolate", &Vouch{Key: testKey(), Name: "Ann\u2066a"}, "invisible character (U+2066)"},
		{"name with a zero-width space", &Vouch{Key: testKey(), Name: "An\u200bn"}, "invisible character (U+200B)"},
		{"name with a zero-width joiner", &Vouch{Key: testKey(), Name: "An\u200dn"}, "invisible character (U+200D)"},
		{"title with an embedding", &Propose{Title: "Pay \u202a1000", Category: "general", Closes: 9}, "invisible character (U+202A)"},
		{"category with a zero-width non-joiner", &Propose{Title: "t", Category: "gen\u200ceral", Closes: 9}, "invisible character (U+200C)"},
		{"body with an override", &Propose{Title: "t", Category: "general", Closes: 9, Body: "pay Bob\u202e0001"}, "invisible character (U+202E)"},
		{"comment with a pop", &Comment{Proposal: 1, Text: "x\u202cy"}, "invisible character (U+202C)"},
		{"amended title empty", &AmendText{Proposal: 1, Body: "b"}, "text amendment rejected: the title is empty"},
		{"amended body too long", &AmendText{Proposal: 1, Title: "t", Body: strings.Repeat("x", MaxBodyBytes+1)}, "32769 bytes"},
		{"amended body with an override", &AmendText{Proposal: 1, Title: "t", Body: "pay Bob\u202e0001"}, "invisible character (U+202E)"},
		{"amendment of proposal 0", &AmendText{Title: "t", Body: "b"}, "proposal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(sign(t, tt.body))
			if err == nil || !strings.Contains(err.Msg, tt.says) || (strings.Contains(tt.says, "invisible") && err.Code != reject.HiddenText) {
				t.Fatalf("got %v, want a rejection saying %q", err, tt.says)
			}
		})
	}
}

func TestBatchVerifyFindsTheBadOne(t *testing.T) {
	var txs []*Tx
	for i := 0; i < 300; i++ {
		raw := sign(t, &Ballot{Proposal: uint64(i + 1), Choice: Yes})
		if i == 123 {
			raw[len(raw)-1] ^= 1
		}
		d, err := Decode(raw)
		if err != nil {
			t.Fatal(err)
		}
		txs = append(txs, d)
	}
	VerifyBatch(txs, 2)
	for i, d := range txs {
		if got := d.CheckSignature() == nil; got != (i != 123) {
			t.Fatalf("tx %d: signature valid = %v", i, got)
		}
	}
	raws := make([][]byte, len(txs))
	for i, d := range txs {
		raws[i] = d.Bytes()
	}
	raws[5] = []byte("junk")
	decoded, errs := DecodeBatch(raws, 0)
	if errs[5] == nil || decoded[5] != nil || decoded[123].CheckSignature() == nil || decoded[0].CheckSignature() != nil {
		t.Fatal("DecodeBatch outcome is wrong")
	}
}

// TestSignatureMalleability checks that a signature made malleable by
// adding the group order to S is refused, as ZIP-215 requires.
func TestSignatureMalleability(t *testing.T) {
	raw := sign(t, &Leave{})
	d, _ := Decode(raw)
	// S >= L (non-canonical scalar) must be rejected: add L to S.
	sig := bytes.Clone(d.Signature())
	l := []byte{0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10}
	var carry uint16
	for i := 0; i < 32; i++ {
		v := uint16(sig[32+i]) + uint16(l[i]) + carry
		sig[32+i], carry = byte(v), v>>8
	}
	bad, _ := Assemble(d.payload, sig)
	d2, err := Decode(bad)
	if err != nil {
		t.Fatal(err)
	}
	if d2.CheckSignature() == nil {
		t.Fatal("a signature with S + L was accepted")
	}
}

// testKey is a valid public key (of the seed 0x01 0x01 …), for bodies that
// carry one.
func testKey() []byte {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, ed25519.SeedSize)).Public().(ed25519.PublicKey)
}

// TestMinTxBytes checks MinTxBytes against the shortest transaction there
// is (a leave with a one-character chain id and nonce 1): it decodes, it
// is exactly MinTxBytes long, and one byte less does not decode.
func TestMinTxBytes(t *testing.T) {
	b, err := Sign(testPriv, Unsigned{ChainID: "x", Author: testAuthor(), Nonce: 1, Body: &Leave{}})
	if err != nil {
		t.Fatal(err)
	}
	if _, rerr := Decode(b); rerr != nil {
		t.Fatalf("the shortest transaction does not decode: %v", rerr)
	}
	if len(b) != MinTxBytes {
		t.Fatalf("the shortest transaction has %d bytes, MinTxBytes is %d", len(b), MinTxBytes)
	}
	for i := range b {
		short := append(bytes.Clone(b[:i]), b[i+1:]...)
		if _, rerr := Decode(short); rerr == nil {
			t.Fatalf("%d bytes (byte %d dropped) decode", len(short), i)
		}
	}
}
