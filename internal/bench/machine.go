package bench

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strings"

	"github.com/folkmoot/folkmoot/internal/node"
)

// CPUModel returns the CPU model name from /proc/cpuinfo, or "unknown".
func CPUModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// freeLoopback returns a free 127.0.0.1 host:port, chosen at random below
// Linux's ephemeral range (32768–60999): a node process binds it seconds
// later, and a port from the ephemeral range may meanwhile be taken by
// any outgoing connection of another test or process on the machine.
func freeLoopback() string {
	for range 100 {
		addr := fmt.Sprintf("127.0.0.1:%d", 20000+rand.IntN(12000))
		if l, err := net.Listen("tcp", addr); err == nil {
			l.Close()
			return addr
		}
	}
	a, err := node.FreeLoopbackAddr()
	if err != nil {
		return "127.0.0.1:0"
	}
	return a
}
