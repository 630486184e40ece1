// Package ballot is the cryptography of folkmoot's secret ballots: exponential
// ElGamal on ristretto255, zero-knowledge proofs that a ballot is well formed,
// a Pedersen distributed key generation for the trustees, threshold
// decryption with proofs, and batch verification.
//
// It is pure: no I/O, no clock, no package-level mutable state, and nothing of
// folkmoot's. Randomness is always passed in as an io.Reader, so a fixed
// reader reproduces the test vectors byte for byte. Secret scalars (ballot
// randomness, key shares, polynomial coefficients, proof nonces) only meet
// ristretto255's constant-time operations; the variable-time ones are used on
// public data only (verification, tallying, discrete logarithm of a result).
//
// docs/secret-ballot.md specifies every encoding, hash input and equation so
// that an independent verifier can be written from it; testdata/vectors.json
// holds vectors for such a verifier.
package ballot
