package bench

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/cometbft/cometbft/p2p"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	"github.com/cometbft/cometbft/types"

	"github.com/folkmoot/folkmoot/internal/client"
	"github.com/folkmoot/folkmoot/internal/core/coretest"
	"github.com/folkmoot/folkmoot/internal/node"
)

// ClusterOptions describe a multi-process testnet on loopback.
type ClusterOptions struct {
	// Binary is the folkmoot executable each node runs ("folkmoot start").
	Binary string
	// Dir holds the homes and the nodes' logs (node<i>.log).
	Dir     string
	ChainID string // default "chaos-1"
	// Validators is the number of validators (default 4); a full node
	// follows them when FullNode is set.
	Validators int
	FullNode   bool
	// Byzantine makes validator 1 propose blocks with invalid transactions
	// (folkmoot.unsafe_byzantine_proposer, started with --unsafe-testing).
	Byzantine bool
	// Twin runs the last validator's key in a second process, with its own
	// node key and signing state: it double-signs.
	Twin bool
	// Members is the number of genesis members the load votes with
	// (default 24).
	Members int
	// SnapshotInterval and SnapshotKeep set each node's snapshots
	// (default 10 and 10).
	SnapshotInterval int64
	SnapshotKeep     int
}

// Cluster is a testnet of real "folkmoot start" processes on 127.0.0.1.
// Every peer connection goes through a proxy of the cluster's, one per
// ordered pair of nodes, so that a node can be cut off from the others (a
// network partition) without privileges; peer exchange is off, so nodes
// know each other only through the proxies.
type Cluster struct {
	opt     ClusterOptions
	Nodes   []*ClusterNode
	Members []*coretest.Member
	genesis *types.GenesisDoc
	links   map[[2]int]*link
}

// ClusterNode is one node process of a Cluster.
type ClusterNode struct {
	Index     int
	Name      string
	Home      string
	Validator bool // in the genesis validator set (the twin too)
	Byzantine bool
	Address   string // validator address, hex
	RPC       *rpchttp.HTTP
	Client    *client.Client
	rpcAddr   string // host:port
	logPath   string
	pvState   []byte // the signing state as Init wrote it, for a wipe

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
	paused bool
	cut    bool
	wipes  int
}

// NewCluster writes the homes of a cluster under o.Dir and opens its
// proxies; Start starts the nodes.
func NewCluster(o ClusterOptions) (*Cluster, error) {
	if o.ChainID == "" {
		o.ChainID = "chaos-1"
	}
	if o.Validators <= 0 {
		o.Validators = 4
	}
	if o.Members <= 0 {
		o.Members = 24
	}
	if o.SnapshotInterval <= 0 {
		o.SnapshotInterval = 10
	}
	if o.SnapshotKeep <= 0 {
		o.SnapshotKeep = 10
	}
	c := &Cluster{opt: o, links: map[[2]int]*link{}}
	// Every port of the cluster is distinct: each is free when picked, but
	// none is bound until its node starts, so two picks could agree.
	used := map[string]bool{}
	port := func() string {
		for {
			if a := freeLoopback(); !used[a] {
				used[a] = true
				return a
			}
		}
	}
	for i := range o.Members {
		m := coretest.NewMember(fmt.Sprintf("chaos voter %d", i))
		m.Chain = o.ChainID
		c.Members = append(c.Members, m)
	}
	g := coretest.Genesis(c.Members...)
	g.Constitution.MaxVoting.Duration = 24 * time.Hour
	homes, err := node.Testnet(filepath.Join(o.Dir, "homes"), o.Validators, node.HomeOptions{
		ChainID: o.ChainID, AppState: coretest.AppState(g), GenesisTime: time.Now().UTC().Truncate(time.Second),
		TimeoutCommit: 300 * time.Millisecond, EmptyBlocksInterval: time.Second, LogLevel: "error", NoMetrics: true,
	})
	if err != nil {
		return nil, err
	}
	if c.genesis, err = types.GenesisDocFromFile(filepath.Join(homes[0], "config", "genesis.json")); err != nil {
		return nil, fmt.Errorf("cluster genesis: %w", err)
	}
	for i, h := range homes {
		c.Nodes = append(c.Nodes, &ClusterNode{Index: i, Name: fmt.Sprintf("validator%d", i), Home: h, Validator: true,
			Byzantine: o.Byzantine && i == 1})
	}
	extra := func(name string, key string) error {
		home := filepath.Join(o.Dir, "homes", name)
		if err := node.Init(home, node.HomeOptions{ChainID: o.ChainID, LogLevel: "error", NoMetrics: true}); err != nil {
			return err
		}
		if err := copyFile(filepath.Join(homes[0], "config", "genesis.json"), filepath.Join(home, "config", "genesis.json")); err != nil {
			return err
		}
		n := &ClusterNode{Index: len(c.Nodes), Name: name, Home: home}
		if key != "" {
			if err := copyFile(key, filepath.Join(home, "config", "priv_validator_key.json")); err != nil {
				return err
			}
			n.Validator = true
		}
		c.Nodes = append(c.Nodes, n)
		return nil
	}
	if o.FullNode {
		if err := extra("fullnode", ""); err != nil {
			return nil, err
		}
	}
	if o.Twin {
		last := homes[len(homes)-1]
		if err := extra("twin", filepath.Join(last, "config", "priv_validator_key.json")); err != nil {
			return nil, err
		}
	}
	// Proxies: node i reaches node j through links[{i, j}].
	for _, n := range c.Nodes {
		n.rpcAddr = port()
		n.logPath = filepath.Join(o.Dir, n.Name+".log")
		if n.pvState, err = os.ReadFile(filepath.Join(n.Home, "data", "priv_validator_state.json")); err != nil {
			return nil, fmt.Errorf("cluster: %w", err)
		}
	}
	p2pAddrs := make([]string, len(c.Nodes))
	for i := range c.Nodes {
		p2pAddrs[i] = port()
	}
	for i := range c.Nodes {
		for j := range c.Nodes {
			if i == j {
				continue
			}
			l, err := newLink(p2pAddrs[j])
			if err != nil {
				c.Close()
				return nil, err
			}
			c.links[[2]int{i, j}] = l
		}
	}
	for i, n := range c.Nodes {
		conf, err := node.LoadConfig(n.Home)
		if err != nil {
			c.Close()
			return nil, err
		}
		var peers []string
		for j, m := range c.Nodes {
			if j == i {
				continue
			}
			key, err := p2p.LoadNodeKey(filepath.Join(m.Home, "config", "node_key.json"))
			if err != nil {
				c.Close()
				return nil, fmt.Errorf("cluster: %w", err)
			}
			peers = append(peers, p2p.IDAddressString(key.ID(), c.links[[2]int{i, j}].addr()))
		}
		conf.Comet.P2P.ListenAddress = "tcp://" + p2pAddrs[i]
		conf.Comet.P2P.PersistentPeers = strings.Join(peers, ",")
		conf.Comet.P2P.PexReactor = false
		conf.Comet.P2P.AllowDuplicateIP = true
		conf.Comet.P2P.AddrBookStrict = false
		conf.Comet.RPC.ListenAddress = "tcp://" + n.rpcAddr
		conf.Comet.Instrumentation.Prometheus = false
		conf.Comet.LogLevel = "error"
		conf.Comet.Consensus.TimeoutPropose = time.Second
		conf.Comet.Consensus.TimeoutPrevote = 300 * time.Millisecond
		conf.Comet.Consensus.TimeoutPrecommit = 300 * time.Millisecond
		conf.Comet.Consensus.TimeoutCommit = 300 * time.Millisecond
		conf.Folkmoot.WebAddress = port()
		conf.Folkmoot.SnapshotInterval = o.SnapshotInterval
		conf.Folkmoot.SnapshotKeep = o.SnapshotKeep
		conf.Folkmoot.UnsafeByzantineProposer = n.Byzantine
		if err := node.WriteConfig(n.Home, conf); err != nil {
			c.Close()
			return nil, err
		}
		if n.Validator {
			pv, err := os.ReadFile(filepath.Join(n.Home, "config", "priv_validator_key.json"))
			if err != nil {
				c.Close()
				return nil, fmt.Errorf("cluster: %w", err)
			}
			n.Address = validatorAddress(pv)
		}
		if n.RPC, err = rpchttp.NewWithTimeout("http://"+n.rpcAddr, 10); err != nil {
			c.Close()
			return nil, fmt.Errorf("cluster: %w", err)
		}
		if n.Client, err = client.New("http://" + n.rpcAddr); err != nil {
			c.Close()
			return nil, err
		}
	}
	return c, nil
}

// validatorAddress reads the address of a priv_validator_key.json.
func validatorAddress(raw []byte) string {
	const field = `"address": "`
	i := strings.Index(string(raw), field)
	if i < 0 {
		return ""
	}
	rest := string(raw[i+len(field):])
	return rest[:strings.IndexByte(rest, '"')]
}

func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return fmt.Errorf("copy %s: %w", from, err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		return fmt.Errorf("copy to %s: %w", to, err)
	}
	return nil
}

// Genesis is the cluster's genesis document.
func (c *Cluster) Genesis() *types.GenesisDoc { return c.genesis }

// Start starts node i's process, its output appended to its log.
func (c *Cluster) Start(i int) error {
	n := c.Nodes[i]
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cmd != nil {
		return fmt.Errorf("%s is already running", n.Name)
	}
	logf, err := os.OpenFile(n.logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("start %s: %w", n.Name, err)
	}
	// CometBFT's own log, at level "error": among others, the proposals
	// a node's application refused.
	args := []string{"start", "--home", n.Home, "--verbose"}
	if n.Byzantine {
		args = append(args, "--unsafe-testing")
	}
	fmt.Fprintf(logf, "=== %s: folkmoot %s\n", time.Now().UTC().Format(time.RFC3339Nano), strings.Join(args, " "))
	cmd := exec.Command(c.opt.Binary, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("start %s: %w", n.Name, err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		logf.Close()
		close(exited)
	}()
	n.cmd, n.exited, n.paused = cmd, exited, false
	return nil
}

// StartAll starts every node.
func (c *Cluster) StartAll() error {
	for i := range c.Nodes {
		if err := c.Start(i); err != nil {
			return err
		}
	}
	return nil
}

// Kill sends node i SIGKILL and waits for the process to end.
func (c *Cluster) Kill(i int) { c.signalAndWait(i, syscall.SIGKILL, 0) }

// Stop sends node i SIGTERM and waits for it to stop (SIGKILL after 30 s).
func (c *Cluster) Stop(i int) { c.signalAndWait(i, syscall.SIGTERM, 30*time.Second) }

func (c *Cluster) signalAndWait(i int, sig syscall.Signal, grace time.Duration) {
	n := c.Nodes[i]
	n.mu.Lock()
	cmd, exited, paused := n.cmd, n.exited, n.paused
	n.cmd, n.paused = nil, false
	n.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Signal(sig)
	if paused && sig != syscall.SIGKILL {
		cmd.Process.Signal(syscall.SIGCONT)
	}
	if grace > 0 {
		select {
		case <-exited:
			return
		case <-time.After(grace):
			cmd.Process.Signal(syscall.SIGKILL)
		}
	}
	<-exited
}

// StopAll sends every node SIGTERM at once and waits for them all.
func (c *Cluster) StopAll() {
	var wg sync.WaitGroup
	for i := range c.Nodes {
		wg.Add(1)
		go func() { defer wg.Done(); c.Stop(i) }()
	}
	wg.Wait()
}

// Pause stops node i with SIGSTOP (paused) or resumes it with SIGCONT.
func (c *Cluster) Pause(i int, paused bool) {
	n := c.Nodes[i]
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cmd == nil {
		return
	}
	if paused {
		n.cmd.Process.Signal(syscall.SIGSTOP)
	} else {
		n.cmd.Process.Signal(syscall.SIGCONT)
	}
	n.paused = paused
}

// Partition cuts node i off from every other node (closing its peer
// connections and refusing new ones), or heals the cut.
func (c *Cluster) Partition(i int, cut bool) {
	for k, l := range c.links {
		if k[0] == i || k[1] == i {
			l.setCut(cut)
		}
	}
	c.Nodes[i].mu.Lock()
	c.Nodes[i].cut = cut
	c.Nodes[i].mu.Unlock()
}

// Up reports whether node i runs, is not paused and not cut off: whether
// it should answer and follow the chain.
func (c *Cluster) Up(i int) bool {
	n := c.Nodes[i]
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.cmd != nil && !n.paused && !n.cut
}

// Paused reports whether node i is stopped by SIGSTOP.
func (c *Cluster) Paused(i int) bool {
	n := c.Nodes[i]
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.paused
}

// Running reports whether node i's process runs (paused or not).
func (c *Cluster) Running(i int) bool {
	n := c.Nodes[i]
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.cmd != nil
}

// Wipe deletes the data of stopped node i (its chain, state, snapshots
// and projection) and sets it to join again by state sync from two
// running validators, trusting a block they hold now. Only a node that
// signs nothing may be wiped: a validator's signing state would go too.
func (c *Cluster) Wipe(ctx context.Context, i int) error {
	n := c.Nodes[i]
	if n.Validator {
		return fmt.Errorf("wipe %s: a validator would lose its signing state", n.Name)
	}
	if c.Running(i) {
		return fmt.Errorf("wipe %s: it is running", n.Name)
	}
	var servers []string
	var trusted *types.Header
	for _, m := range c.Nodes {
		if !m.Validator || !c.Up(m.Index) || len(servers) == 2 {
			continue
		}
		if trusted == nil {
			st, err := m.RPC.Status(ctx)
			if err != nil || st.SyncInfo.LatestBlockHeight < 3 {
				continue
			}
			h := st.SyncInfo.LatestBlockHeight - 1
			r, err := m.RPC.Header(ctx, &h)
			if err != nil {
				continue
			}
			trusted = r.Header
		}
		servers = append(servers, m.rpcAddr)
	}
	if len(servers) < 2 {
		return fmt.Errorf("wipe %s: fewer than two validators answer to serve state sync", n.Name)
	}
	data := filepath.Join(n.Home, "data")
	if err := os.RemoveAll(data); err != nil {
		return fmt.Errorf("wipe %s: %w", n.Name, err)
	}
	if err := os.MkdirAll(data, 0o700); err != nil {
		return fmt.Errorf("wipe %s: %w", n.Name, err)
	}
	if err := os.WriteFile(filepath.Join(data, "priv_validator_state.json"), n.pvState, 0o600); err != nil {
		return fmt.Errorf("wipe %s: %w", n.Name, err)
	}
	conf, err := node.LoadConfig(n.Home)
	if err != nil {
		return err
	}
	conf.Comet.StateSync.Enable = true
	conf.Comet.StateSync.RPCServers = servers
	conf.Comet.StateSync.TrustHeight = trusted.Height
	conf.Comet.StateSync.TrustHash = hex.EncodeToString(trusted.Hash())
	conf.Comet.StateSync.DiscoveryTime = 5 * time.Second
	if err := node.WriteConfig(n.Home, conf); err != nil {
		return err
	}
	n.mu.Lock()
	n.wipes++
	n.mu.Unlock()
	return nil
}

// Wiped reports whether node i was ever wiped (its projection then starts
// at the height it joined at).
func (c *Cluster) Wiped(i int) bool {
	n := c.Nodes[i]
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.wipes > 0
}

// Log returns what node i has logged, all runs.
func (c *Cluster) Log(i int) string {
	b, _ := os.ReadFile(c.Nodes[i].logPath)
	return string(b)
}

// Close kills every node and closes the proxies.
func (c *Cluster) Close() {
	for i := range c.Nodes {
		c.Kill(i)
	}
	for _, l := range c.links {
		l.close()
	}
}

// Height returns node i's latest block height and the first it holds
// (0, 0 when it does not answer).
func (c *Cluster) Height(ctx context.Context, i int) (latest, base int64) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	st, err := c.Nodes[i].RPC.Status(ctx)
	if err != nil {
		return 0, 0
	}
	return st.SyncInfo.LatestBlockHeight, st.SyncInfo.EarliestBlockHeight
}

// WaitHeight waits until node i is at height h or more.
func (c *Cluster) WaitHeight(ctx context.Context, i int, h int64, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		got, _ := c.Height(ctx, i)
		if got >= h {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s is at height %d after %s, not %d", c.Nodes[i].Name, got, within, h)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// link is a TCP proxy from one node to another's p2p port, which can be
// cut: its connections closed and new ones refused.
type link struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	cut    bool
	conns  map[net.Conn]bool
}

func newLink(target string) (*link, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("proxy: %w", err)
	}
	l := &link{ln: ln, target: target, conns: map[net.Conn]bool{}}
	go l.serve()
	return l, nil
}

func (l *link) addr() string { return l.ln.Addr().String() }

func (l *link) serve() {
	for {
		in, err := l.ln.Accept()
		if err != nil {
			return
		}
		go l.forward(in)
	}
}

func (l *link) forward(in net.Conn) {
	l.mu.Lock()
	cut := l.cut
	l.mu.Unlock()
	if cut {
		in.Close()
		return
	}
	out, err := net.DialTimeout("tcp", l.target, 2*time.Second)
	if err != nil {
		in.Close()
		return
	}
	l.mu.Lock()
	if l.cut {
		l.mu.Unlock()
		in.Close()
		out.Close()
		return
	}
	l.conns[in], l.conns[out] = true, true
	l.mu.Unlock()
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		io.Copy(dst, src)
		done <- struct{}{}
	}
	go pipe(out, in)
	go pipe(in, out)
	<-done
	in.Close()
	out.Close()
	<-done
	l.mu.Lock()
	delete(l.conns, in)
	delete(l.conns, out)
	l.mu.Unlock()
}

func (l *link) setCut(cut bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.cut = cut
	if cut {
		for c := range l.conns {
			c.Close()
		}
	}
}

func (l *link) close() {
	l.ln.Close()
	l.setCut(true)
}

// errNotUp is returned when no node can answer.
var errNotUp = errors.New("no node answers")
