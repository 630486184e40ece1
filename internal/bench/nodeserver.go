package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/cometbft/cometbft/abci/example/kvstore"

	"github.com/folkmoot/folkmoot/internal/node"
)

// benchNode is the folkmoot node under measurement, reached by its RPC
// and its site; pid is the process it runs in.
type benchNode struct {
	rpc, site string
	pid       int
	scope     string // what rss_mb measures
	stop      func() error
	// profile starts a CPU profile of the node's process into file (""
	// stops it).
	profile func(file string) error
}

// benchNodeOptions are how the measured node runs: the benchmark's mempool
// and RPC sizes, and no bulk rate limit (one client address sends it all).
func benchNodeOptions(clock func() time.Time) node.Options {
	return node.Options{Config: nodeTuning, Clock: clock, BulkRate: 1 << 30, BulkBurst: 1 << 30}
}

// kvstoreKind prefixes the home of a node that runs CometBFT's kvstore
// example app instead of folkmoot (the benchmark's yardstick).
const kvstoreKind = "kvstore:"

// startBenchNode runs the community of home (or, when home starts with
// kvstoreKind, a kvstore node): in a process of its own, started with the
// command server (and env added), when server is set; in this process
// otherwise.
func startBenchNode(ctx context.Context, home string, server, env []string, clock func() time.Time) (*benchNode, error) {
	if len(server) == 0 {
		rpc, site, stop, err := runBenchNode(ctx, home, clock)
		if err != nil {
			return nil, err
		}
		return &benchNode{rpc: rpc, site: site, pid: os.Getpid(), scope: "whole benchmark process", stop: stop,
			profile: profiler()}, nil
	}
	cmd := exec.Command(server[0], server[1:]...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("node process: %w", err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("node process: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("node process: %w", err)
	}
	stopped := false
	stop := func() error {
		if stopped {
			return nil
		}
		stopped = true
		in.Close() // the server stops its node when its stdin ends
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				return fmt.Errorf("node process: %w", err)
			}
			return nil
		case <-time.After(time.Minute):
			cmd.Process.Kill()
			return fmt.Errorf("node process did not stop within a minute; killed: %w", <-done)
		}
	}
	if _, err := fmt.Fprintln(in, home); err != nil {
		stop()
		return nil, fmt.Errorf("node process: %w", err)
	}
	answers := bufio.NewReader(out)
	line, err := answers.ReadString('\n')
	f := strings.Fields(line)
	if err != nil || len(f) != 3 || f[0] != "ready" {
		stop()
		return nil, fmt.Errorf("node process did not start: %q (%v)", line, err)
	}
	profile := func(file string) error {
		if _, err := fmt.Fprintf(in, "profile %s\n", file); err != nil {
			return fmt.Errorf("node process: %w", err)
		}
		if line, err := answers.ReadString('\n'); err != nil || line != "ok\n" {
			return fmt.Errorf("node process: profile %q: %q (%v)", file, line, err)
		}
		return nil
	}
	return &benchNode{rpc: f[1], site: f[2], pid: cmd.Process.Pid, scope: "node process", stop: stop, profile: profile}, nil
}

// profiler returns a function that starts a CPU profile of this process
// into a file, or stops it (and closes the file) when given "".
func profiler() func(file string) error {
	var f *os.File
	return func(file string) error {
		if f != nil {
			pprof.StopCPUProfile()
			if err := f.Close(); err != nil {
				return fmt.Errorf("cpu profile: %w", err)
			}
			f = nil
		}
		if file == "" {
			return nil
		}
		var err error
		if f, err = os.Create(file); err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			f = nil
			return fmt.Errorf("cpu profile: %w", err)
		}
		return nil
	}
}

// runBenchNode starts the node of home (see startBenchNode) in this
// process and returns its RPC and site addresses and how to stop it.
func runBenchNode(ctx context.Context, home string, clock func() time.Time) (rpc, site string, stop func() error, err error) {
	if kv, ok := strings.CutPrefix(home, kvstoreKind); ok {
		n, err := node.Start(ctx, kv, kvstore.NewInMemoryApplication(), nil, node.WithConfig(nodeTuning))
		if err != nil {
			return "", "", nil, fmt.Errorf("kvstore node: %w", err)
		}
		return n.RPCAddress(), "-", n.Stop, nil
	}
	c, err := node.Open(ctx, home, benchNodeOptions(clock))
	if err != nil {
		return "", "", nil, err
	}
	return c.RPC(), c.Site(), c.Stop, nil
}

// ServeNode is the node process of the node benchmark ("folkmoot bench
// node serve"): it reads a home directory (one line) from in, runs its
// community as the benchmark wants it (or a kvstore node, for a home
// prefixed "kvstore:"), writes "ready RPC SITE" to out,
// and stops the community when in ends. Meanwhile a line "profile FILE"
// starts a CPU profile of the process into FILE, and "profile " (no
// file) stops it; each is answered "ok".
func ServeNode(in io.Reader, out io.Writer) error {
	r := bufio.NewReader(in)
	home, err := r.ReadString('\n')
	if err != nil {
		return fmt.Errorf("read the home directory: %w", err)
	}
	rpc, site, stop, err := runBenchNode(context.Background(), strings.TrimSpace(home), time.Now)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(out, "ready %s %s\n", rpc, site); err != nil {
		return errors.Join(err, stop())
	}
	profile := profiler()
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return errors.Join(profile(""), stop())
		}
		if file, ok := strings.CutPrefix(strings.TrimRight(line, "\n"), "profile "); ok {
			if err := profile(strings.TrimSpace(file)); err != nil {
				return errors.Join(err, stop())
			}
			fmt.Fprintln(out, "ok")
		}
	}
}
