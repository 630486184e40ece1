package ballot

import (
	"io"
	"testing"
)

// newDetRand is the stream of TestRandomness for a string seed.
func newDetRand(seed string) io.Reader { return TestRandomness([]byte(seed)) }

func testKey(t testing.TB, seed string) *KeyPair {
	t.Helper()
	kp, err := GenerateKey(newDetRand(seed))
	if err != nil {
		t.Fatal(err)
	}
	return kp
}

func testContext(kp *KeyPair, voter string) Context {
	return Context{ElectionID: []byte("proposal-42"), ChainID: "folkmoot-test", PublicKey: enc(kp.Public), VoterKey: []byte(voter)}
}
