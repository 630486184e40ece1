package node

import "errors"

// Errors a caller can tell apart with errors.Is. Each is wrapped with the
// home, the file and what is wrong, so the whole message fits on one line.
var (
	// ErrNoHome: the home directory, or its config.toml, does not exist.
	ErrNoHome = errors.New("no node home")
	// ErrHomeExists: Init or Testnet would overwrite an existing home.
	ErrHomeExists = errors.New("home already initialised")
	// ErrBadConfig: config.toml cannot be read or holds an invalid value.
	ErrBadConfig = errors.New("invalid config")
	// ErrBadGenesis: genesis.json is missing, not JSON, or not a valid genesis.
	ErrBadGenesis = errors.New("invalid genesis")
	// ErrGenesisMismatch: genesis.json is not the genesis of the chain this
	// home holds, or not of the chain the caller expects.
	ErrGenesisMismatch = errors.New("genesis does not match")
	// ErrAppMismatch: the application's last height or app hash, as its
	// Info reports them, cannot be reconciled with the chain in the home.
	ErrAppMismatch = errors.New("application state does not match the chain")
	// ErrBadKey: the node key or the validator key or state is missing or corrupt.
	ErrBadKey = errors.New("invalid key file")
)
