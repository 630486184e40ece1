package node

import (
	"bytes"
	"context"
	stded25519 "crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/cockroachdb/pebble"
	dbm "github.com/cometbft/cometbft-db"
	abcitypes "github.com/cometbft/cometbft/abci/types"
	cfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/crypto"
	cmted25519 "github.com/cometbft/cometbft/crypto/ed25519"
	"github.com/cometbft/cometbft/crypto/tmhash"
	cmtflags "github.com/cometbft/cometbft/libs/cli/flags"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	"github.com/cometbft/cometbft/libs/log"
	cmtnode "github.com/cometbft/cometbft/node"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	"github.com/cometbft/cometbft/proxy"
	sm "github.com/cometbft/cometbft/state"
	"github.com/cometbft/cometbft/types"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/folkmoot/folkmoot/internal/tx"
)

// Node is a running CometBFT node with its application, started by Start.
type Node struct {
	home     string
	config   *Config
	comet    *cmtnode.Node
	registry *prometheus.Registry
	dbs      *dbSet

	metricsSrv  *http.Server
	metricsAddr string

	stopOnce sync.Once
	stopErr  error
	done     chan struct{}
}

// StartOption changes how Start runs a node.
type StartOption func(*startConfig)

type startConfig struct {
	concurrent bool
	registry   *prometheus.Registry
	chainID    string
	override   func(*Config)
}

// WithRegistry serves the collectors registered on r at the node's /metrics,
// beside CometBFT's own. Without it the node makes an empty registry of its
// own (see Node.Registry).
func WithRegistry(r *prometheus.Registry) StartOption {
	return func(s *startConfig) { s.registry = r }
}

// WithConcurrentApp connects the application without CometBFT's global
// ABCI mutex (an unsynchronised local client): CheckTx calls from several
// RPC requests then run in parallel with each other and with block
// execution. Only for applications that do their own locking.
func WithConcurrentApp() StartOption {
	return func(s *startConfig) { s.concurrent = true }
}

// WithChainID makes Start refuse a home whose genesis is for another chain.
func WithChainID(id string) StartOption {
	return func(s *startConfig) { s.chainID = id }
}

// WithConfig lets the caller adjust the configuration read from the home
// for this run only; the file is not changed. Benchmarks use it to size
// the mempool.
func WithConfig(f func(*Config)) StartOption {
	return func(s *startConfig) { s.override = f }
}

// Start runs a CometBFT node from home with app as its ABCI application,
// connected in-process. It returns once the node has replayed what the
// application lacks (CometBFT's handshake, bounded by ctx) and is running;
// ctx bounds only that start-up: the node runs until Stop.
//
// Logs go to logw through CometBFT's logger at the config's log_level;
// nil logs nothing. A missing home, an unreadable config, a corrupt genesis,
// a genesis for another chain or broken keys each give one wrapped error
// (ErrNoHome, ErrBadConfig, ErrBadGenesis, ErrGenesisMismatch, ErrBadKey)
// before anything in the home is written.
func Start(ctx context.Context, home string, app abcitypes.Application, logw io.Writer, opts ...StartOption) (*Node, error) {
	n, err := start(ctx, home, app, logw, opts)
	if err != nil {
		return nil, fmt.Errorf("start node: %w", err)
	}
	return n, nil
}

func start(ctx context.Context, home string, app abcitypes.Application, logw io.Writer, opts []StartOption) (_ *Node, err error) {
	var sc startConfig
	for _, o := range opts {
		o(&sc)
	}
	if sc.registry == nil {
		sc.registry = prometheus.NewRegistry()
	}
	if fi, err := os.Stat(home); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("%w: %s does not exist (run init first)", ErrNoHome, home)
	}
	conf, err := LoadConfig(home)
	if err != nil {
		return nil, err
	}
	if sc.override != nil {
		sc.override(conf)
		conf.Comet.SetRoot(home)
		if err := conf.Comet.ValidateBasic(); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadConfig, err)
		}
	}
	logger, err := newLogger(logw, conf.Comet)
	if err != nil {
		return nil, fmt.Errorf("%w: log_level: %v", ErrBadConfig, err)
	}

	genRaw, gen, err := readGenesis(conf.Comet.GenesisFile())
	if err != nil {
		return nil, err
	}
	if sc.chainID != "" && gen.ChainID != sc.chainID {
		return nil, fmt.Errorf("%w: %s is for chain %q, not %q", ErrGenesisMismatch, conf.Comet.GenesisFile(), gen.ChainID, sc.chainID)
	}
	nodeKey, err := p2p.LoadNodeKey(conf.Comet.NodeKeyFile())
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrBadKey, conf.Comet.NodeKeyFile(), err)
	}
	if err := checkPrivKey(nodeKey.PrivKey); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrBadKey, conf.Comet.NodeKeyFile(), err)
	}
	pv, err := loadPrivValidator(conf.Comet)
	if err != nil {
		return nil, err
	}

	if err := checkStoredGenesis(conf.Comet, logger, genRaw, gen); err != nil {
		return nil, err
	}

	// Bind the metrics address before anything touches the data directory,
	// so a busy port fails cleanly.
	var metricsLn net.Listener
	if conf.Comet.Instrumentation.IsPrometheusEnabled() {
		metricsLn, err = net.Listen("tcp", conf.Comet.Instrumentation.PrometheusListenAddr)
		if err != nil {
			return nil, fmt.Errorf("metrics: %w", err)
		}
		defer func() {
			if err != nil {
				metricsLn.Close()
			}
		}()
	}

	dbs := &dbSet{logger: logger.With("module", "db"), open: map[string]*onceDB{}}
	defer func() {
		if err != nil {
			dbs.closeAll()
		}
	}()

	// CometBFT would serve its metrics itself, from the global registry
	// only; we serve them with the caller's registry on the same listener.
	run := *conf.Comet
	inst := *run.Instrumentation
	inst.PrometheusListenAddr = ""
	run.Instrumentation = &inst

	genProvider := func() (cmtnode.ChecksummedGenesisDoc, error) {
		return cmtnode.ChecksummedGenesisDoc{GenesisDoc: gen, Sha256Checksum: tmhash.Sum(genRaw)}, nil
	}
	creator := proxy.NewLocalClientCreator(app)
	if sc.concurrent {
		creator = proxy.NewUnsyncLocalClientCreator(app)
	}
	cn, err := newCometNode(ctx, &run, pv, nodeKey,
		creator,
		genProvider,
		dbs.provider,
		cometMetrics(&inst, logger),
		logger,
	)
	if err != nil {
		return nil, err
	}
	if err := cn.Start(); err != nil {
		// Start leaves the services NewNode started (ABCI connections,
		// event bus, indexer) running and the stores open; OnStop is the
		// only way to release them, and tolerates services never started.
		cn.OnStop()
		return nil, fmt.Errorf("start CometBFT node: %w", err)
	}

	n := &Node{
		home:     home,
		config:   conf,
		comet:    cn,
		registry: sc.registry,
		dbs:      dbs,
		done:     make(chan struct{}),
	}
	if metricsLn != nil {
		n.metricsAddr = metricsLn.Addr().String()
		// Metrics at /metrics only: every other path is a 404, every other
		// method a 405 (issue 10, finding 11).
		metrics := http.NewServeMux()
		metrics.Handle("GET /metrics", promhttp.HandlerFor(
			prometheus.Gatherers{prometheus.DefaultGatherer, sc.registry},
			promhttp.HandlerOpts{MaxRequestsInFlight: inst.MaxOpenConnections},
		))
		n.metricsSrv = &http.Server{Handler: metrics, ReadHeaderTimeout: 10 * time.Second}
		go func() {
			if err := n.metricsSrv.Serve(metricsLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
				logger.Error("metrics server stopped", "err", err)
			}
		}()
	}
	return n, nil
}

// newCometNode calls CometBFT's NewNode, whose handshake with the
// application panics, rather than fail, when the application's app hash
// disagrees with the chain's ("state.AppHash does not match AppHash after
// replay"): it becomes ErrAppMismatch. Services NewNode had started are
// left to the process's exit.
func newCometNode(ctx context.Context, c *cfg.Config, pv types.PrivValidator, key *p2p.NodeKey,
	cc proxy.ClientCreator, gp cmtnode.GenesisDocProvider, dbp cfg.DBProvider,
	mp cmtnode.MetricsProvider, logger log.Logger,
) (n *cmtnode.Node, err error) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		msg := fmt.Sprint(r)
		if !strings.Contains(msg, "AppHash") {
			panic(r)
		}
		// The message goes on with a dump of the whole state: keep the
		// sentence with the two hashes.
		msg, _, _ = strings.Cut(msg, "State:")
		n, err = nil, fmt.Errorf("%w: %s (was one reset without the other?)", ErrAppMismatch, strings.Join(strings.Fields(msg), " "))
	}()
	n, err = cmtnode.NewNode(ctx, c, pv, key, cc, gp, dbp, mp, logger)
	if err != nil {
		// doHandshake formats its error with %v, so only the text of
		// sm.ErrAppBlockHeightTooHigh and ...TooLow is left to recognise.
		if m := err.Error(); strings.Contains(m, "app block height") {
			return nil, fmt.Errorf("%w: %s", ErrAppMismatch, m)
		}
		return nil, fmt.Errorf("create CometBFT node: %w", err)
	}
	return n, nil
}

// Stop stops the node, closes its databases and its metrics listener, and
// waits for that to finish. It is safe to call more than once.
func (n *Node) Stop() error {
	n.stopOnce.Do(func() {
		var errs []error
		if n.metricsSrv != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			if err := n.metricsSrv.Shutdown(ctx); err != nil {
				errs = append(errs, fmt.Errorf("stop metrics: %w", err))
			}
			cancel()
		}
		if n.comet.IsRunning() {
			if err := n.comet.Stop(); err != nil {
				errs = append(errs, fmt.Errorf("stop CometBFT node: %w", err))
			}
			n.comet.Wait()
		}
		if err := n.dbs.closeAll(); err != nil {
			errs = append(errs, err)
		}
		n.stopErr = errors.Join(errs...)
		close(n.done)
	})
	return n.stopErr
}

// Done is closed when the node has stopped.
func (n *Node) Done() <-chan struct{} { return n.done }

// Home is the node's home directory.
func (n *Node) Home() string { return n.home }

// Config is the configuration the node runs with.
func (n *Node) Config() *Config { return n.config }

// ChainID is the chain the node runs: the genesis chain_id.
func (n *Node) ChainID() string { return n.comet.GenesisDoc().ChainID }

// Comet is the underlying CometBFT node, for the API layer (block store,
// event bus, mempool).
func (n *Node) Comet() *cmtnode.Node { return n.comet }

// Registry is the Prometheus registry served at MetricsAddress beside
// CometBFT's metrics; register the application's collectors on it.
func (n *Node) Registry() *prometheus.Registry { return n.registry }

// MetricsAddress is the host:port serving /metrics (that path only), or
// "" when instrumentation is off.
func (n *Node) MetricsAddress() string { return n.metricsAddr }

// RPCAddress is the URL of the node's CometBFT RPC, such as
// http://127.0.0.1:26657, for rpc/client/http.New.
func (n *Node) RPCAddress() string {
	for a := range strings.SplitSeq(n.config.Comet.RPC.ListenAddress, ",") {
		a = strings.TrimSpace(a)
		if rest, ok := strings.CutPrefix(a, "tcp://"); ok {
			return "http://" + rest
		}
	}
	return ""
}

// readGenesis reads and validates a genesis file.
func readGenesis(path string) ([]byte, *types.GenesisDoc, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrBadGenesis, err)
	}
	gen, err := types.GenesisDocFromJSON(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %s: %v", ErrBadGenesis, path, err)
	}
	return raw, gen, nil
}

// genesisDocHashKey is where CometBFT v1 keeps, in the state database, the
// SHA-256 of the genesis file a home's chain started with (node/setup.go).
// Reading it first lets Start name both chains instead of failing inside
// NewNode with "genesis doc hash in db does not match loaded genesis doc".
var genesisDocHashKey = []byte("genesisDocHash")

// checkStoredGenesis refuses a genesis that differs from the one the home's
// chain started with. It opens the state database read-only, so a refused
// home is left byte for byte as it was (opening pebble for writing would
// replay and rewrite its log).
func checkStoredGenesis(c *cfg.Config, logger log.Logger, raw []byte, gen *types.GenesisDoc) error {
	if dbm.BackendType(c.DBBackend) != dbm.PebbleDBBackend {
		// Other backends have no read-only mode here; CometBFT's own check
		// in NewNode still refuses the genesis, with its own words.
		return nil
	}
	if _, err := os.Stat(filepath.Join(c.DBDir(), "state.db")); errors.Is(err, fs.ErrNotExist) {
		return nil // a chain that has not started yet
	}
	pdb, err := dbm.NewPebbleDBWithOpts("state", c.DBDir(), &pebble.Options{ReadOnly: true, Logger: pebbleLogger{logger}})
	if err != nil {
		return fmt.Errorf("open state database: %w", err)
	}
	defer pdb.Close()
	stored, err := pdb.Get(genesisDocHashKey)
	if err != nil {
		return fmt.Errorf("read state database: %w", err)
	}
	if len(stored) == 0 || bytes.Equal(stored, tmhash.Sum(raw)) {
		return nil
	}
	st, err := sm.NewStore(readOnlyDB{pdb}, sm.StoreOptions{DBKeyLayout: c.Storage.ExperimentalKeyLayout}).Load()
	if err == nil && st.ChainID != "" && st.ChainID != gen.ChainID {
		return fmt.Errorf("%w: %s holds chain %q but %s is for chain %q", ErrGenesisMismatch, c.DBDir(), st.ChainID, c.GenesisFile(), gen.ChainID)
	}
	return fmt.Errorf("%w: %s changed since chain %q started in %s", ErrGenesisMismatch, c.GenesisFile(), gen.ChainID, c.DBDir())
}

// readOnlyDB drops writes: sm.NewStore records its key layout version on
// open, which a read-only pebble database would refuse with a panic.
type readOnlyDB struct{ dbm.DB }

func (readOnlyDB) Set([]byte, []byte) error     { return nil }
func (readOnlyDB) SetSync([]byte, []byte) error { return nil }
func (readOnlyDB) Delete([]byte) error          { return nil }
func (readOnlyDB) DeleteSync([]byte) error      { return nil }

// loadPrivValidator loads the validator key and signing state. CometBFT's
// privval.LoadFilePV exits the process on a missing or corrupt file, so both
// are checked here first.
func loadPrivValidator(c *cfg.Config) (*privval.FilePV, error) {
	keyFile, stateFile := c.PrivValidatorKeyFile(), c.PrivValidatorStateFile()
	raw, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadKey, err)
	}
	var key privval.FilePVKey
	if err := cmtjson.Unmarshal(raw, &key); err != nil || key.PrivKey == nil {
		return nil, fmt.Errorf("%w: %s is not a validator key", ErrBadKey, keyFile)
	}
	if err := checkPrivKey(key.PrivKey); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrBadKey, keyFile, err)
	}
	raw, err = os.ReadFile(stateFile)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadKey, err)
	}
	var state privval.FilePVLastSignState
	if err := cmtjson.Unmarshal(raw, &state); err != nil {
		return nil, fmt.Errorf("%w: %s is not a validator signing state", ErrBadKey, stateFile)
	}
	return privval.LoadFilePV(keyFile, stateFile), nil
}

// checkPrivKey refuses a node or validator key file whose public half is
// not the one its seed derives, or is a key tx.CheckKey refuses: CometBFT
// signs with the seed but tells peers the stored public half, so an edited
// file could announce a small-order key whose signatures anyone can forge.
func checkPrivKey(k crypto.PrivKey) error {
	if k.Type() != cmted25519.KeyType {
		return nil
	}
	raw := k.Bytes()
	if len(raw) != stded25519.PrivateKeySize {
		return fmt.Errorf("an ed25519 key must be %d bytes, not %d", stded25519.PrivateKeySize, len(raw))
	}
	// The stored public half, read directly: CometBFT's PubKey panics
	// when it is all zero.
	pub := raw[stded25519.SeedSize:]
	if err := tx.CheckKey("the public key", pub); err != nil {
		return errors.New(err.Msg)
	}
	derived := stded25519.NewKeyFromSeed(raw[:stded25519.SeedSize]).Public().(stded25519.PublicKey)
	if !bytes.Equal(derived, pub) {
		return errors.New("the public key is not the one the private key derives")
	}
	return nil
}

func newLogger(w io.Writer, c *cfg.Config) (log.Logger, error) {
	if w == nil {
		return log.NewNopLogger(), nil
	}
	var l log.Logger
	if c.LogFormat == cfg.LogFormatJSON {
		l = log.NewTMJSONLogger(log.NewSyncWriter(w))
	} else {
		l = log.NewTMLogger(log.NewSyncWriter(w))
	}
	return cmtflags.ParseLogLevel(c.LogLevel, l, cfg.DefaultLogLevel)
}

// cometMetrics returns CometBFT's metrics provider. CometBFT registers its
// metrics in Prometheus's global registry, so a second node in the same
// process (a restart, an in-process testnet) would panic registering them
// again; that node runs with no-op metrics instead. The provider's result
// types live in a CometBFT internal package, hence the reflection.
func cometMetrics(c *cfg.InstrumentationConfig, logger log.Logger) cmtnode.MetricsProvider {
	real := cmtnode.DefaultMetricsProvider(c)
	nop := cmtnode.DefaultMetricsProvider(&cfg.InstrumentationConfig{})
	fn := reflect.MakeFunc(reflect.TypeOf(real), func(args []reflect.Value) (out []reflect.Value) {
		defer func() {
			r := recover()
			if r == nil {
				return
			}
			var already prometheus.AlreadyRegisteredError
			if err, ok := r.(error); ok && errors.As(err, &already) {
				logger.Info("CometBFT metrics already registered in this process; this node's are off")
				out = reflect.ValueOf(nop).Call(args)
				return
			}
			panic(r)
		}()
		return reflect.ValueOf(real).Call(args)
	})
	return fn.Interface().(cmtnode.MetricsProvider)
}

// dbSet opens CometBFT's databases and remembers them: CometBFT v1 does not
// close the tx_index database on stop, and a second open of a pebble
// database in the same process fails on its lock.
type dbSet struct {
	logger log.Logger
	mu     sync.Mutex
	open   map[string]*onceDB
}

func (s *dbSet) provider(ctx *cfg.DBContext) (dbm.DB, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if db, ok := s.open[ctx.ID]; ok {
		return db, nil
	}
	var db dbm.DB
	var err error
	if dbm.BackendType(ctx.Config.DBBackend) == dbm.PebbleDBBackend {
		// Pebble logs to the standard library's global logger unless told
		// otherwise; send its chatter to the node's logger.
		db, err = dbm.NewPebbleDBWithOpts(ctx.ID, ctx.Config.DBDir(), &pebble.Options{Logger: pebbleLogger{s.logger}})
	} else {
		db, err = cfg.DefaultDBProvider(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s database in %s: %w", ctx.ID, filepath.Clean(ctx.Config.DBDir()), err)
	}
	o := &onceDB{DB: db}
	s.open[ctx.ID] = o
	return o, nil
}

func (s *dbSet) closeAll() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for id, db := range s.open {
		if err := db.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close %s database: %w", id, err))
		}
	}
	return errors.Join(errs...)
}

// onceDB is a database whose Close may be called more than once.
type onceDB struct {
	dbm.DB
	once sync.Once
	err  error
}

func (d *onceDB) Close() error {
	d.once.Do(func() { d.err = d.DB.Close() })
	return d.err
}

// pebbleLogger hands pebble's messages to CometBFT's logger.
type pebbleLogger struct{ l log.Logger }

func (p pebbleLogger) Infof(format string, args ...any) { p.l.Debug(fmt.Sprintf(format, args...)) }

// Fatalf must not return: pebble calls it on corruption it cannot survive.
func (p pebbleLogger) Fatalf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	p.l.Error(msg)
	panic("pebble: " + msg)
}
