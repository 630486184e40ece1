package client

import (
	"errors"
	"testing"
)

func TestParseRejection(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want Rejection
		ok   bool
	}{
		{"nil", nil, Rejection{}, false},
		{"other", errors.New("post failed: connection refused"), Rejection{}, false},
		{"sync", errors.New(`error in json rpc client, with http response metadata: (Status: 200 OK, Protocol HTTP/1.1). RPC error -32603 - Internal error: broadcast error on transaction validation: tx A381 is invalid: code=2, data=, log='', codespace=''`),
			Rejection{Code: 2}, true},
		{"log with quotes", errors.New(`RPC error -32603 - Internal error: broadcast error on transaction validation: tx 00FF is invalid: code=17, data=0A0B, log='nonce 'too' low', codespace='folkmoot'`),
			Rejection{Code: 17, Log: "nonce 'too' low", Codespace: "folkmoot"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := ParseRejection(tc.err)
			if ok != tc.ok || got != tc.want {
				t.Fatalf("ParseRejection = %+v, %v; want %+v, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}
