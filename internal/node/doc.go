// Package node is the one place a running community is assembled: Open
// starts CometBFT v1 in-process around folkmoot's application, with its
// SQLite projection, the JSON API and the web site (served as WebServing
// plans: plain HTTP on loopback, HTTPS anywhere else), and Community.Stop
// stops them together. "folkmoot start", the demo, the benchmarks and the
// test helpers all go through Open. The package also runs a CometBFT node
// around any ABCI application (Start), and writes the homes nodes run from.
//
// A home has CometBFT's layout:
//
//	config/config.toml              CometBFT's settings, then a [folkmoot] section
//	config/genesis.json             chain_id names the community; app_state is the app's
//	config/node_key.json            p2p identity
//	config/priv_validator_key.json  validator signing key
//	data/priv_validator_state.json  last signed height/round/step (double-sign guard)
//	data/*.db, data/cs.wal          block store, state, indexes, consensus WAL
//	data/folkmoot.db                the SQLite projection (ProjectionPath)
//	data/snapshots/                 the application's snapshots (SnapshotDir, docs/state-sync.md)
//
// Init writes a single-validator home, Testnet writes several wired as
// peers on loopback, Open runs a home's community, Start runs a home with
// any application, Stop stops it.
//
// Choices worth knowing:
//
//   - Blocks come at least every consensus.create_empty_blocks_interval
//     (default 5s) even with no traffic, so deadlines pass in block time;
//     consensus.timeout_commit (default 1s) spaces blocks under load.
//   - Metrics: [instrumentation] prometheus and prometheus_listen_addr in
//     config.toml switch on CometBFT's metrics and say where /metrics is
//     served. Start serves them itself, together with the collectors of
//     the registry given by WithRegistry (or Node.Registry). CometBFT
//     registers its metrics in Prometheus's global registry, so only the
//     first node started in a process reports them; later ones in the same
//     process (a restart, an in-process testnet) run with CometBFT metrics
//     off, and say so in the log.
//   - The state database is opened read-only to compare the stored genesis
//     hash with genesis.json before anything else, so a refused home is left
//     as it was.
//   - Pebble's own log lines go to the node's logger, which is silent
//     unless Start is given a writer.
//   - Open restores the application from the newest snapshot the
//     projection has caught up with ([folkmoot] snapshot_interval,
//     default every 1,000 blocks, or snapshot_period of block time, default
//     10m; snapshot_keep, default 3), so CometBFT
//     replays only the blocks after it. With [statesync] enabled, a new
//     home joins from its peers' snapshots, and its projection starts at
//     the snapshot's height.
package node
