package node

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	cfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	"github.com/cometbft/cometbft/types"
	cmttime "github.com/cometbft/cometbft/types/time"

	"github.com/folkmoot/folkmoot/internal/tx"
)

// Defaults for a new home.
const (
	DefaultTimeoutCommit       = time.Second
	DefaultEmptyBlocksInterval = 5 * time.Second
	DefaultP2PAddress          = "tcp://127.0.0.1:26656"
	DefaultRPCAddress          = "tcp://127.0.0.1:26657"
	DefaultMetricsAddress      = "127.0.0.1:26660"
	DefaultBasePort            = 26656
)

// HomeOptions say what Init and Testnet write. Only ChainID is required.
type HomeOptions struct {
	// ChainID names the community; it is the genesis chain_id.
	ChainID string
	// AppState is the genesis app_state, handed to the application's
	// InitChain as AppStateBytes. It must be JSON if set.
	AppState json.RawMessage
	// GenesisTime defaults to now.
	GenesisTime time.Time
	// Moniker names the node to its peers; Testnet uses node0, node1, ...
	Moniker string

	// TimeoutCommit is how long a node waits after a commit before the
	// next height (CometBFT's consensus.timeout_commit). Zero means the
	// default, 1s; use a nanosecond for none.
	TimeoutCommit time.Duration
	// EmptyBlocksInterval is the longest a node goes without a block when
	// no transaction arrives (consensus.create_empty_blocks_interval), so
	// that deadlines pass in block time with no traffic. Zero means the
	// default, 5s.
	EmptyBlocksInterval time.Duration

	// Listen addresses for Init. Defaults: DefaultP2PAddress,
	// DefaultRPCAddress, DefaultMetricsAddress and 127.0.0.1:8080.
	P2PAddress, RPCAddress, MetricsAddress, WebAddress string
	// BasePort is the first of the ports Testnet assigns: node i listens
	// for p2p on BasePort+10i, RPC on +1, metrics on +2 and web on +3.
	// Default DefaultBasePort.
	BasePort int
	// WebHosts are the host names and IP addresses, beyond localhost and
	// loopback, that the site's self-signed certificate names (see
	// WriteWebCert).
	WebHosts []string
	// NoMetrics turns Prometheus instrumentation off.
	NoMetrics bool
	// LogLevel is CometBFT's log_level ("info", "error", "consensus:info,*:error", ...).
	// Default "info"; nothing is logged unless Start is given a writer.
	LogLevel string
}

func (o HomeOptions) validate() error {
	if strings.TrimSpace(o.ChainID) == "" {
		return errors.New("chain id is required")
	}
	if len(o.ChainID) > types.MaxChainIDLen {
		return fmt.Errorf("chain id %q is longer than %d characters", o.ChainID, types.MaxChainIDLen)
	}
	if len(o.AppState) > 0 && !json.Valid(o.AppState) {
		return errors.New("app state is not valid JSON")
	}
	if o.TimeoutCommit < 0 || o.EmptyBlocksInterval < 0 {
		return errors.New("timeouts must not be negative")
	}
	return nil
}

// cometConfig is the CometBFT configuration every new home starts from.
func (o HomeOptions) cometConfig() *cfg.Config {
	c := cfg.DefaultConfig()
	c.Moniker = o.Moniker
	if c.Moniker == "" {
		c.Moniker = "folkmoot"
	}
	if o.LogLevel != "" {
		c.LogLevel = o.LogLevel
	}
	c.Consensus.TimeoutCommit = o.TimeoutCommit
	if c.Consensus.TimeoutCommit == 0 {
		c.Consensus.TimeoutCommit = DefaultTimeoutCommit
	}
	c.Consensus.CreateEmptyBlocks = true
	c.Consensus.CreateEmptyBlocksInterval = o.EmptyBlocksInterval
	if c.Consensus.CreateEmptyBlocksInterval == 0 {
		c.Consensus.CreateEmptyBlocksInterval = DefaultEmptyBlocksInterval
	}
	// Validators of a community sit on its own network, often on private
	// addresses; a strict address book would refuse them.
	c.P2P.AddrBookStrict = false
	c.Instrumentation.Prometheus = !o.NoMetrics
	// The application keeps its own index of transactions (the SQLite
	// projection and its ABCI queries); CometBFT's would do the work twice.
	c.TxIndex.Indexer = "null"
	return c
}

// genesis builds the genesis document shared by every validator.
func (o HomeOptions) genesis(vals []types.GenesisValidator) *types.GenesisDoc {
	params := types.DefaultConsensusParams()
	// The block size the offline verifier holds every history to.
	params.Block.MaxBytes = tx.MaxBlockBytes
	g := &types.GenesisDoc{
		GenesisTime:     o.GenesisTime,
		ChainID:         o.ChainID,
		ConsensusParams: params,
		Validators:      vals,
	}
	if g.GenesisTime.IsZero() {
		g.GenesisTime = cmttime.Now()
	}
	if len(o.AppState) > 0 {
		g.AppState = o.AppState
	}
	return g
}

// Init writes a single-validator home at home, in CometBFT's layout:
// config/config.toml (with the [folkmoot] section), config/genesis.json,
// config/node_key.json, config/priv_validator_key.json and
// data/priv_validator_state.json, with fresh keys. It refuses a home that
// already has a config or a genesis, and leaves nothing behind on failure.
func Init(home string, opts HomeOptions) (err error) {
	if err := opts.validate(); err != nil {
		return fmt.Errorf("init %s: %w", home, err)
	}
	cleanup, err := prepareHome(home)
	if err != nil {
		return fmt.Errorf("init %s: %w", home, err)
	}
	defer func() {
		if err != nil {
			cleanup()
		}
	}()

	c := opts.cometConfig()
	c.SetRoot(home)
	c.P2P.ListenAddress = or(opts.P2PAddress, DefaultP2PAddress)
	c.RPC.ListenAddress = or(opts.RPCAddress, DefaultRPCAddress)
	c.Instrumentation.PrometheusListenAddr = or(opts.MetricsAddress, DefaultMetricsAddress)
	settings := DefaultSettings()
	settings.WebAddress = or(opts.WebAddress, settings.WebAddress)

	val, err := writeKeys(c)
	if err != nil {
		return fmt.Errorf("init %s: %w", home, err)
	}
	val.Power = 10
	val.Name = c.Moniker
	if err := opts.genesis([]types.GenesisValidator{val}).SaveAs(c.GenesisFile()); err != nil {
		return fmt.Errorf("init %s: write genesis: %w", home, err)
	}
	if err := WriteConfig(home, &Config{Comet: c, Folkmoot: settings}); err != nil {
		return fmt.Errorf("init %s: %w", home, err)
	}
	if err := WriteWebCert(home, opts.ChainID, opts.WebHosts, time.Now(), false); err != nil {
		return fmt.Errorf("init %s: %w", home, err)
	}
	return nil
}

// Testnet writes n validator homes dir/node0 ... dir/node{n-1} sharing one
// genesis, each listing the others as persistent peers on 127.0.0.1 (see
// HomeOptions.BasePort for the ports), like `cometbft testnet`. It returns the
// homes in order. It refuses existing homes and leaves nothing behind on
// failure.
func Testnet(dir string, n int, opts HomeOptions) (homes []string, err error) {
	if n < 1 {
		return nil, fmt.Errorf("testnet %s: need at least one validator, got %d", dir, n)
	}
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("testnet %s: %w", dir, err)
	}
	base := opts.BasePort
	if base == 0 {
		base = DefaultBasePort
	}
	if base < 1 || base+10*n > 65535 {
		return nil, fmt.Errorf("testnet %s: base port %d leaves no room for %d nodes", dir, base, n)
	}

	var cleanups []func()
	defer func() {
		if err != nil {
			for i := len(cleanups) - 1; i >= 0; i-- {
				cleanups[i]()
			}
		}
	}()

	configs := make([]*cfg.Config, n)
	vals := make([]types.GenesisValidator, n)
	ids := make([]p2p.ID, n)
	for i := range n {
		home := filepath.Join(dir, fmt.Sprintf("node%d", i))
		cleanup, err := prepareHome(home)
		if err != nil {
			return nil, fmt.Errorf("testnet %s: %w", dir, err)
		}
		cleanups = append(cleanups, cleanup)

		o := opts
		o.Moniker = fmt.Sprintf("node%d", i)
		c := o.cometConfig()
		c.SetRoot(home)
		port := base + 10*i
		c.P2P.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", port)
		c.RPC.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", port+1)
		c.Instrumentation.PrometheusListenAddr = fmt.Sprintf("127.0.0.1:%d", port+2)
		c.P2P.AllowDuplicateIP = true
		configs[i] = c

		vals[i], err = writeKeys(c)
		if err != nil {
			return nil, fmt.Errorf("testnet %s: %w", dir, err)
		}
		vals[i].Power = 1
		vals[i].Name = c.Moniker
		key, err := p2p.LoadNodeKey(c.NodeKeyFile())
		if err != nil {
			return nil, fmt.Errorf("testnet %s: read node key: %w", dir, err)
		}
		ids[i] = key.ID()
		homes = append(homes, home)
	}

	gen := opts.genesis(vals)
	for i, c := range configs {
		if err := gen.SaveAs(c.GenesisFile()); err != nil {
			return nil, fmt.Errorf("testnet %s: write genesis: %w", dir, err)
		}
		var peers []string
		for j := range n {
			if j != i {
				peers = append(peers, p2p.IDAddressString(ids[j], fmt.Sprintf("127.0.0.1:%d", base+10*j)))
			}
		}
		c.P2P.PersistentPeers = strings.Join(peers, ",")
		settings := DefaultSettings()
		settings.WebAddress = fmt.Sprintf("127.0.0.1:%d", base+10*i+3)
		if err := WriteConfig(homes[i], &Config{Comet: c, Folkmoot: settings}); err != nil {
			return nil, fmt.Errorf("testnet %s: %w", dir, err)
		}
	}
	return homes, nil
}

// prepareHome creates home/config and home/data, refusing a home that
// already holds a config or a genesis. The returned function removes
// whatever prepareHome created.
func prepareHome(home string) (cleanup func(), err error) {
	for _, f := range []string{
		configPath(home),
		filepath.Join(home, cfg.DefaultConfigDir, cfg.DefaultGenesisJSONName),
	} {
		if _, err := os.Stat(f); err == nil {
			return nil, fmt.Errorf("%w: %s exists", ErrHomeExists, f)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	var created []string
	cleanup = func() {
		for i := len(created) - 1; i >= 0; i-- {
			os.RemoveAll(created[i])
		}
	}
	for _, d := range []string{
		home,
		filepath.Join(home, cfg.DefaultConfigDir),
		filepath.Join(home, cfg.DefaultDataDir),
	} {
		if _, err := os.Stat(d); err == nil {
			continue
		}
		if err := os.MkdirAll(d, cfg.DefaultDirPerm); err != nil {
			cleanup()
			return nil, fmt.Errorf("create %s: %w", d, err)
		}
		created = append(created, d)
	}
	return cleanup, nil
}

// writeKeys generates the node key and the validator key and state of the
// home c is rooted at, and returns the validator for the genesis.
func writeKeys(c *cfg.Config) (types.GenesisValidator, error) {
	if _, err := p2p.LoadOrGenNodeKey(c.NodeKeyFile()); err != nil {
		return types.GenesisValidator{}, fmt.Errorf("write node key: %w", err)
	}
	pv, err := privval.GenFilePV(c.PrivValidatorKeyFile(), c.PrivValidatorStateFile(), nil)
	if err != nil {
		return types.GenesisValidator{}, fmt.Errorf("generate validator key: %w", err)
	}
	pv.Save()
	pub, err := pv.GetPubKey()
	if err != nil {
		return types.GenesisValidator{}, fmt.Errorf("validator key: %w", err)
	}
	return types.GenesisValidator{Address: pub.Address(), PubKey: pub}, nil
}

func or(s, def string) string {
	if s != "" {
		return s
	}
	return def
}
