package bench

import (
	"bufio"
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

// freeLoopback returns a free 127.0.0.1 host:port.
func freeLoopback() string {
	a, err := node.FreeLoopbackAddr()
	if err != nil {
		return "127.0.0.1:0"
	}
	return a
}
