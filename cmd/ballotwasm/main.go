//go:build js && wasm

// Command ballotwasm is the WebAssembly build of folkmoot's secret-ballot
// cryptography for the browser: it sets window.folkmootBallot to an object
// whose functions (internal/ballotjs) take a plain object and return one,
// byte strings in hex, errors as {error: "sentence"}. The site serves it
// as /static/ballot.wasm, loaded by /static/ballot.js; go generate
// ./internal/web rebuilds it.
package main

import (
	"crypto/rand"
	"fmt"
	"syscall/js"

	"github.com/folkmoot/folkmoot/internal/ballotjs"
)

func main() {
	api := ballotjs.New(rand.Reader)
	JSON := js.Global().Get("JSON")
	obj := js.Global().Get("Object").New()
	for _, name := range api.Names() {
		obj.Set(name, js.FuncOf(func(_ js.Value, args []js.Value) (ret any) {
			defer func() {
				if r := recover(); r != nil {
					ret = map[string]any{"error": fmt.Sprintf("%s: internal error: %v", name, r)}
				}
			}()
			req := "{}"
			if len(args) > 0 && args[0].Type() == js.TypeObject {
				req = JSON.Call("stringify", args[0]).String()
			}
			return JSON.Call("parse", string(api.Call(name, []byte(req))))
		}))
	}
	js.Global().Set("folkmootBallot", obj)
	select {} // the functions live as long as the page
}
