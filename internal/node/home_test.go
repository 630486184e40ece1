package node

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	cfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/types"

	"github.com/folkmoot/folkmoot/internal/tx"
)

func TestInitWritesCometLayout(t *testing.T) {
	home := filepath.Join(t.TempDir(), "home")
	o := HomeOptions{
		ChainID:  "village-7",
		AppState: json.RawMessage(`{"constitution":{"quorum":3}}`),
	}
	if err := Init(home, o); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{
		"config/config.toml", "config/genesis.json", "config/node_key.json",
		"config/priv_validator_key.json", "data/priv_validator_state.json",
	} {
		if _, err := os.Stat(filepath.Join(home, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	gen, err := types.GenesisDocFromFile(filepath.Join(home, "config", "genesis.json"))
	if err != nil {
		t.Fatal(err)
	}
	// SaveAs re-indents app_state: the application gets equal JSON, not
	// the caller's bytes.
	if gen.ChainID != "village-7" || compactJSON(t, gen.AppState) != `{"constitution":{"quorum":3}}` {
		t.Fatalf("genesis chain %q app_state %s", gen.ChainID, gen.AppState)
	}
	if len(gen.Validators) != 1 || gen.Validators[0].Power != 10 {
		t.Fatalf("genesis validators %+v", gen.Validators)
	}
	// folkmoot verify holds every history to this block size.
	if gen.ConsensusParams.Block.MaxBytes != tx.MaxBlockBytes {
		t.Fatalf("genesis block.max_bytes %d, want tx.MaxBlockBytes %d", gen.ConsensusParams.Block.MaxBytes, tx.MaxBlockBytes)
	}

	c, err := LoadConfig(home)
	if err != nil {
		t.Fatal(err)
	}
	cc := c.Comet
	checks := []struct {
		name      string
		got, want any
	}{
		{"timeout_commit", cc.Consensus.TimeoutCommit, DefaultTimeoutCommit},
		{"create_empty_blocks", cc.Consensus.CreateEmptyBlocks, true},
		{"create_empty_blocks_interval", cc.Consensus.CreateEmptyBlocksInterval, DefaultEmptyBlocksInterval},
		{"p2p laddr", cc.P2P.ListenAddress, DefaultP2PAddress},
		{"rpc laddr", cc.RPC.ListenAddress, DefaultRPCAddress},
		{"prometheus", cc.Instrumentation.Prometheus, true},
		{"prometheus_listen_addr", cc.Instrumentation.PrometheusListenAddr, DefaultMetricsAddress},
		{"addr_book_strict", cc.P2P.AddrBookStrict, false},
		{"web_address", c.Folkmoot.WebAddress, "127.0.0.1:8080"},
		{"root", cc.RootDir, home},
	}
	for _, ch := range checks {
		if !reflect.DeepEqual(ch.got, ch.want) {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
}

func TestInitRefusesAndCleansUp(t *testing.T) {
	t.Run("existing home", func(t *testing.T) {
		home := filepath.Join(t.TempDir(), "home")
		if err := Init(home, HomeOptions{ChainID: "a"}); err != nil {
			t.Fatal(err)
		}
		before := snapshot(t, home)
		err := Init(home, HomeOptions{ChainID: "b"})
		if !errors.Is(err, ErrHomeExists) {
			t.Fatalf("second Init: %v, want ErrHomeExists", err)
		}
		sameSnapshot(t, before, snapshot(t, home))
	})
	for name, o := range map[string]HomeOptions{
		"no chain id":        {},
		"app state not json": {ChainID: "c", AppState: json.RawMessage(`{"a":`)},
		"chain id too long":  {ChainID: strings.Repeat("x", 51)},
	} {
		t.Run(name, func(t *testing.T) {
			home := filepath.Join(t.TempDir(), "home")
			if err := Init(home, o); err == nil {
				t.Fatal("Init succeeded")
			}
			if _, err := os.Stat(home); !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("Init left %s behind", home)
			}
		})
	}
}

func TestConfigRoundTrip(t *testing.T) {
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, "config"), 0o700); err != nil {
		t.Fatal(err)
	}
	want := cfg.DefaultConfig()
	want.SetRoot(home)
	want.Moniker = "clerk's node"
	want.Consensus.TimeoutCommit = 250 * time.Millisecond
	want.Consensus.CreateEmptyBlocksInterval = 3 * time.Second
	want.P2P.PersistentPeers = "id0@127.0.0.1:1,id1@127.0.0.1:2"
	want.P2P.MaxNumInboundPeers = 7
	want.Mempool.Size = 123456
	want.Mempool.MaxTxsBytes = 1 << 30
	want.RPC.CORSAllowedOrigins = []string{"https://a.example", "https://b.example"}
	want.StateSync.RPCServers = []string{"x:1", "y:2"}
	want.Instrumentation.Prometheus = true
	want.Storage.Pruning.Interval = 42 * time.Second
	want.GRPC.VersionService.Enabled = false
	settings := Settings{WebAddress: "127.0.0.1:9999", SnapshotInterval: 250, SnapshotKeep: 2}

	if err := WriteConfig(home, &Config{Comet: want, Folkmoot: settings}); err != nil {
		t.Fatal(err)
	}
	got, err := LoadConfig(home)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Comet, want) {
		gv, wv := reflect.ValueOf(got.Comet).Elem(), reflect.ValueOf(want).Elem()
		for i := range gv.NumField() {
			if !reflect.DeepEqual(gv.Field(i).Interface(), wv.Field(i).Interface()) {
				t.Errorf("%s: got %+v\nwant %+v", gv.Type().Field(i).Name, gv.Field(i).Interface(), wv.Field(i).Interface())
			}
		}
	}
	if got.Folkmoot != settings {
		t.Errorf("folkmoot settings %+v, want %+v", got.Folkmoot, settings)
	}

	// A file that names only a few keys keeps the defaults for the rest.
	writeFile(t, configPath(home), "moniker = \"short\"\n[consensus]\ntimeout_commit = \"2s\"\n[folkmoot]\n")
	got, err = LoadConfig(home)
	if err != nil {
		t.Fatal(err)
	}
	def := cfg.DefaultConfig()
	if got.Comet.Moniker != "short" || got.Comet.Consensus.TimeoutCommit != 2*time.Second ||
		got.Comet.Consensus.TimeoutPropose != def.Consensus.TimeoutPropose ||
		got.Folkmoot.WebAddress != DefaultSettings().WebAddress {
		t.Errorf("partial config read as %+v %+v", got.Comet.Consensus, got.Folkmoot)
	}
}

func TestTestnetWiresPeers(t *testing.T) {
	dir := t.TempDir()
	homes, err := Testnet(dir, 3, HomeOptions{ChainID: "net-3", BasePort: 30000})
	if err != nil {
		t.Fatal(err)
	}
	if len(homes) != 3 {
		t.Fatalf("%d homes", len(homes))
	}
	var genesis []byte
	for i, home := range homes {
		c, err := LoadConfig(home)
		if err != nil {
			t.Fatal(err)
		}
		base := 30000 + 10*i
		if c.Comet.P2P.ListenAddress != "tcp://127.0.0.1:"+strconv.Itoa(base) ||
			c.Comet.RPC.ListenAddress != "tcp://127.0.0.1:"+strconv.Itoa(base+1) ||
			c.Comet.Instrumentation.PrometheusListenAddr != "127.0.0.1:"+strconv.Itoa(base+2) ||
			c.Folkmoot.WebAddress != "127.0.0.1:"+strconv.Itoa(base+3) {
			t.Errorf("node%d addresses: %s %s %s %s", i, c.Comet.P2P.ListenAddress, c.Comet.RPC.ListenAddress,
				c.Comet.Instrumentation.PrometheusListenAddr, c.Folkmoot.WebAddress)
		}
		if !c.Comet.P2P.AllowDuplicateIP || c.Comet.P2P.AddrBookStrict {
			t.Errorf("node%d: p2p not opened to loopback peers", i)
		}
		peers := strings.Split(c.Comet.P2P.PersistentPeers, ",")
		if len(peers) != 2 {
			t.Errorf("node%d peers %q", i, peers)
		}
		self, err := p2p.LoadNodeKey(c.Comet.NodeKeyFile())
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range peers {
			if strings.HasPrefix(p, string(self.ID())+"@") {
				t.Errorf("node%d lists itself as a peer", i)
			}
		}
		g, err := os.ReadFile(c.Comet.GenesisFile())
		if err != nil {
			t.Fatal(err)
		}
		if genesis != nil && string(g) != string(genesis) {
			t.Errorf("node%d genesis differs from node0's", i)
		}
		genesis = g
	}
	gen, err := types.GenesisDocFromJSON(genesis)
	if err != nil {
		t.Fatal(err)
	}
	if len(gen.Validators) != 3 {
		t.Fatalf("%d genesis validators", len(gen.Validators))
	}

	if _, err := Testnet(dir, 3, HomeOptions{ChainID: "net-3"}); !errors.Is(err, ErrHomeExists) {
		t.Fatalf("second Testnet into %s: %v, want ErrHomeExists", dir, err)
	}
	if _, err := Testnet(t.TempDir(), 0, HomeOptions{ChainID: "x"}); err == nil {
		t.Fatal("Testnet with 0 validators succeeded")
	}
}

func compactJSON(t *testing.T, b []byte) string {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}
