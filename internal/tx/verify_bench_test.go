package tx

import (
	"crypto/ed25519"
	"fmt"
	"testing"

	"github.com/hdevalence/ed25519consensus"
)

func benchSigs(n int) ([]ed25519.PublicKey, [][]byte, [][]byte) {
	var pubs []ed25519.PublicKey
	var msgs, sigs [][]byte
	for i := 0; i < n; i++ {
		seed := make([]byte, 32)
		seed[0], seed[1] = byte(i), byte(i>>8)
		priv := ed25519.NewKeyFromSeed(seed)
		msg := []byte(fmt.Sprintf("folkmoot/tx/v1\nballot %d padded to about a hundred bytes of payload ...........", i))
		pubs = append(pubs, priv.Public().(ed25519.PublicKey))
		msgs = append(msgs, msg)
		sigs = append(sigs, ed25519.Sign(priv, msg))
	}
	return pubs, msgs, sigs
}

// BenchmarkVerifySingle measures one ZIP-215 verification.
func BenchmarkVerifySingle(b *testing.B) {
	pubs, msgs, sigs := benchSigs(64)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		j := i % 64
		if !ed25519consensus.Verify(pubs[j], msgs[j], sigs[j]) {
			b.Fatal("bad")
		}
	}
}

// BenchmarkVerifyStdlib is crypto/ed25519 for comparison.
func BenchmarkVerifyStdlib(b *testing.B) {
	pubs, msgs, sigs := benchSigs(64)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		j := i % 64
		if !ed25519.Verify(pubs[j], msgs[j], sigs[j]) {
			b.Fatal("bad")
		}
	}
}

// BenchmarkVerifyBatch256 measures a 256-signature batch; ns/op / 256 is the
// cost per signature on one core.
func BenchmarkVerifyBatch256(b *testing.B) {
	pubs, msgs, sigs := benchSigs(256)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		v := ed25519consensus.NewPreallocatedBatchVerifier(256)
		for j := range pubs {
			v.Add(pubs[j], msgs[j], sigs[j])
		}
		if !v.Verify() {
			b.Fatal("bad")
		}
	}
}
