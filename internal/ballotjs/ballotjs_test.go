package ballotjs_test

import (
	"crypto/rand"
	"testing"

	"github.com/folkmoot/folkmoot/internal/ballotjs"
	"github.com/folkmoot/folkmoot/internal/ballotjs/ballotjstest"
)

// TestVectors runs the vectors through the functions called directly; the
// browser test of internal/web runs the same suite through the WebAssembly
// build in Chromium.
func TestVectors(t *testing.T) {
	api := ballotjs.New(rand.Reader)
	ballotjstest.Run(t, ballotjstest.Load(t), func(name string, req []byte) ([]byte, error) {
		return api.Call(name, req), nil
	})
}

// TestNames: the functions the browser sees.
func TestNames(t *testing.T) {
	got := ballotjs.New(rand.Reader).Names()
	want := []string{"cast", "trusteeDecrypt", "trusteeNew", "trusteeOpen", "trusteeReveal", "trusteeSeal", "verify"}
	if len(got) != len(want) {
		t.Fatalf("%v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%v, want %v", got, want)
		}
	}
}
