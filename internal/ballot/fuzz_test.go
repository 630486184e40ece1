package ballot

import (
	"bytes"
	"crypto/rand"
	"testing"
)

// The decoders never panic, and whatever they accept re-encodes to the same
// bytes (encodings are canonical).

func FuzzParseBallot(f *testing.F) {
	kp := testKey(f, "fuzz")
	ctx := testContext(kp, "a")
	for _, race := range []Race{SingleChoice(2), Approval(2, 2)} {
		b, err := Cast(ctx, race, []int{0, 1}, rand.Reader)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(race.Max), b.Bytes())
	}
	f.Fuzz(func(t *testing.T, max uint8, data []byte) {
		race := Race{Choices: 2, Min: int(max % 2), Max: int(max%2) + int(max/2%2)}
		if race.Max > 2 {
			race.Max = 2
		}
		b, err := ParseBallot(race, data)
		if err != nil {
			return
		}
		if !bytes.Equal(b.encode(), data) {
			t.Fatalf("accepted a non-canonical ballot")
		}
		_ = b.Verify(ctx, race)
	})
}

func FuzzParseCiphertext(f *testing.F) {
	f.Add(Encrypt(testKey(f, "fuzz").Public, 1, smallScalar(5)).Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseCiphertext(data)
		if err == nil && !bytes.Equal(c.Bytes(), data) {
			t.Fatal("accepted a non-canonical ciphertext")
		}
	})
}

func FuzzParsePartialDecryption(f *testing.F) {
	kp := testKey(f, "fuzz")
	p, err := Trustee{Index: 1, Share: kp.Secret}.Decrypt(Context{}, []Ciphertext{Encrypt(kp.Public, 1, smallScalar(5))}, rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(p.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePartialDecryption(1, data)
		if err == nil && !bytes.Equal(p.Bytes(), data) {
			t.Fatal("accepted a non-canonical partial decryption")
		}
	})
}

func FuzzParseCommitments(f *testing.F) {
	d, err := NewDealer(1, 2, 3, rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(d.Commitments().Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseCommitments(2, data)
		if err == nil && !bytes.Equal(c.Bytes(), data) {
			t.Fatal("accepted non-canonical commitments")
		}
	})
}
