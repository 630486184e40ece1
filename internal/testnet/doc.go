// Package testnet holds the tests that run communities of several real
// folkmoot processes on loopback: agreement and fault tolerance of four
// validators, a secret vote across them, and the chaos and byzantine
// tests. They live apart from the CLI's own tests so that the two run side
// by side, each within go test's time limit. The package has no code of its
// own.
package testnet
