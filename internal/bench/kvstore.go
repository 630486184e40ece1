package bench

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/cometbft/cometbft/abci/example/kvstore"

	"github.com/folkmoot/folkmoot/internal/node"
)

// startKVStore initialises a single-validator home at dir/kvstore (dir is
// the caller's, typically a temporary directory) and starts it around
// CometBFT's in-memory kvstore example application. Benchmarks use it to
// measure the same RPC submission path against an application that checks
// almost nothing. ChainID defaults to "kvstore".
func startKVStore(ctx context.Context, dir string, opts node.HomeOptions, logw io.Writer, startOpts ...node.StartOption) (*node.Node, error) {
	if opts.ChainID == "" {
		opts.ChainID = "kvstore"
	}
	home := filepath.Join(dir, "kvstore")
	if err := node.Init(home, opts); err != nil {
		return nil, fmt.Errorf("kvstore node: %w", err)
	}
	n, err := node.Start(ctx, home, kvstore.NewInMemoryApplication(), logw, startOpts...)
	if err != nil {
		return nil, fmt.Errorf("kvstore node: %w", err)
	}
	return n, nil
}

// kvstoreTx returns a transaction the kvstore application accepts, unique
// for each i and exactly size bytes long (longer only when size is too
// small to hold i): "k<i>=" padded with "v".
func kvstoreTx(i uint64, size int) []byte {
	key := "k" + strconv.FormatUint(i, 10) + "="
	pad := max(size-len(key), 1)
	return []byte(key + strings.Repeat("v", pad))
}
