package node

import (
	"fmt"
	"net"
)

// FreeLoopbackAddr returns a 127.0.0.1 host:port nothing listens on right
// now, for homes made on the fly (the demo, the benchmarks, tests).
// Another process may take it before it is used.
func FreeLoopbackAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free loopback port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}
