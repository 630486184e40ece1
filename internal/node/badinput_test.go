package node

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io/fs"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cockroachdb/pebble"
	dbm "github.com/cometbft/cometbft-db"
	"github.com/cometbft/cometbft/abci/example/kvstore"
	abcitypes "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/libs/log"
)

// snapshot maps every file under dir to a digest of its content, and every
// directory to "dir".
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			out[rel] = "dir"
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		out[rel] = string(sum[:])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameSnapshot(t *testing.T, before, after map[string]string) {
	t.Helper()
	for _, k := range slices.Sorted(maps.Keys(after)) {
		if b, ok := before[k]; !ok {
			t.Errorf("%s appeared", k)
		} else if b != after[k] {
			t.Errorf("%s changed", k)
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			t.Errorf("%s disappeared", k)
		}
	}
}

// runChain starts home, waits for a few blocks and stops it.
func runChain(t *testing.T, home string) int64 {
	t.Helper()
	n, err := Start(context.Background(), home, kvstore.NewInMemoryApplication(), testLog())
	if err != nil {
		t.Fatal(err)
	}
	h := waitHeight(t, rpcClient(t, n), 2)
	if err := n.Stop(); err != nil {
		t.Fatal(err)
	}
	return h
}

func TestStartRefusesBadHomes(t *testing.T) {
	tmp := t.TempDir()

	// A home whose chain has run, and the genesis of another community.
	ran := filepath.Join(tmp, "ran")
	if err := Init(ran, fastOptions(t, "town-a")); err != nil {
		t.Fatal(err)
	}
	runChain(t, ran)
	other := filepath.Join(tmp, "other")
	if err := Init(other, fastOptions(t, "town-b")); err != nil {
		t.Fatal(err)
	}
	otherGenesis, err := os.ReadFile(filepath.Join(other, "config", "genesis.json"))
	if err != nil {
		t.Fatal(err)
	}
	ranGenesis, err := os.ReadFile(filepath.Join(ran, "config", "genesis.json"))
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name   string
		setup  func(t *testing.T) string // returns the home
		opts   []StartOption
		want   error
		saying []string
	}{
		{"missing home", func(t *testing.T) string {
			return filepath.Join(t.TempDir(), "nowhere")
		}, nil, ErrNoHome, []string{"nowhere", "does not exist"}},
		{"empty home", func(t *testing.T) string {
			return t.TempDir()
		}, nil, ErrNoHome, []string{"config.toml"}},
		{"corrupt genesis", func(t *testing.T) string {
			home := filepath.Join(t.TempDir(), "h")
			if err := Init(home, fastOptions(t, "town-c")); err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(home, "config", "genesis.json"), `{"chain_id": "town-c", "validators": [`)
			return home
		}, nil, ErrBadGenesis, []string{"genesis.json"}},
		{"genesis without chain id", func(t *testing.T) string {
			home := filepath.Join(t.TempDir(), "h")
			if err := Init(home, fastOptions(t, "town-d")); err != nil {
				t.Fatal(err)
			}
			g, _ := os.ReadFile(filepath.Join(home, "config", "genesis.json"))
			writeFile(t, filepath.Join(home, "config", "genesis.json"), strings.Replace(string(g), `"town-d"`, `""`, 1))
			return home
		}, nil, ErrBadGenesis, []string{"genesis.json", "chain_id"}},
		// The security review's critical finding, for node keys: a key file
		// whose public half is the all-zero small-order point would let
		// anyone forge the node's (or the validator's) signatures.
		{"small-order node key", func(t *testing.T) string {
			home := filepath.Join(t.TempDir(), "h")
			if err := Init(home, fastOptions(t, "town-k")); err != nil {
				t.Fatal(err)
			}
			weakenKeyFile(t, filepath.Join(home, "config", "node_key.json"))
			return home
		}, nil, ErrBadKey, []string{"node_key.json", "small order"}},
		{"small-order validator key", func(t *testing.T) string {
			home := filepath.Join(t.TempDir(), "h")
			if err := Init(home, fastOptions(t, "town-v")); err != nil {
				t.Fatal(err)
			}
			weakenKeyFile(t, filepath.Join(home, "config", "priv_validator_key.json"))
			return home
		}, nil, ErrBadKey, []string{"priv_validator_key.json", "small order"}},
		{"genesis of another chain", func(t *testing.T) string {
			writeFile(t, filepath.Join(ran, "config", "genesis.json"), string(otherGenesis))
			return ran
		}, nil, ErrGenesisMismatch, []string{`"town-a"`, `"town-b"`}},
		{"expected another chain", func(t *testing.T) string {
			writeFile(t, filepath.Join(ran, "config", "genesis.json"), string(ranGenesis))
			return ran
		}, []StartOption{WithChainID("town-z")}, ErrGenesisMismatch, []string{`"town-a"`, `"town-z"`}},
		{"corrupt validator key", func(t *testing.T) string {
			home := filepath.Join(t.TempDir(), "h")
			if err := Init(home, fastOptions(t, "town-e")); err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(home, "config", "priv_validator_key.json"), `{"priv_key": 7}`)
			return home
		}, nil, ErrBadKey, []string{"priv_validator_key.json"}},
		{"missing validator state", func(t *testing.T) string {
			home := filepath.Join(t.TempDir(), "h")
			if err := Init(home, fastOptions(t, "town-f")); err != nil {
				t.Fatal(err)
			}
			os.Remove(filepath.Join(home, "data", "priv_validator_state.json"))
			return home
		}, nil, ErrBadKey, []string{"priv_validator_state.json"}},
		{"bad config value", func(t *testing.T) string {
			home := filepath.Join(t.TempDir(), "h")
			if err := Init(home, fastOptions(t, "town-g")); err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(configPath(home))
			writeFile(t, configPath(home), strings.Replace(string(b), `timeout_commit = "50ms"`, `timeout_commit = "soon"`, 1))
			return home
		}, nil, ErrBadConfig, []string{"consensus.timeout_commit", "soon"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			home := tc.setup(t)
			var before map[string]string
			if _, err := os.Stat(home); err == nil {
				before = snapshot(t, home)
			}
			n, err := Start(context.Background(), home, kvstore.NewInMemoryApplication(), testLog(), tc.opts...)
			if err == nil {
				n.Stop()
				t.Fatal("Start succeeded")
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %q is not %q", err, tc.want)
			}
			msg := err.Error()
			t.Log(msg)
			if strings.Contains(msg, "\n") {
				t.Errorf("error is not one line: %q", msg)
			}
			for _, s := range tc.saying {
				if !strings.Contains(msg, s) {
					t.Errorf("error %q does not mention %q", msg, s)
				}
			}
			if before == nil {
				if _, err := os.Stat(home); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("Start created %s", home)
				}
				return
			}
			sameSnapshot(t, before, snapshot(t, home))
		})
	}

	// The refused home is intact: with its own genesis back it runs on.
	writeFile(t, filepath.Join(ran, "config", "genesis.json"), string(ranGenesis))
	runChain(t, ran)
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestStartWithBusyPortFailsCleanly(t *testing.T) {
	home := filepath.Join(t.TempDir(), "home")
	o := fastOptions(t, "busy-1")
	if err := Init(home, o); err != nil {
		t.Fatal(err)
	}
	for _, addr := range []string{strings.TrimPrefix(o.RPCAddress, "tcp://"), o.MetricsAddress} {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Start(context.Background(), home, kvstore.NewInMemoryApplication(), testLog())
		l.Close()
		if err == nil || !strings.Contains(err.Error(), addr) || strings.Contains(err.Error(), "\n") {
			t.Fatalf("with %s taken: Start error %v", addr, err)
		}
		t.Log(err)
	}
	// Nothing was left holding the home: it starts once the ports are free.
	runChain(t, home)
}

// lyingApp is kvstore whose Info misreports its last block.
type lyingApp struct {
	*kvstore.Application
	heightDelta int64
	badHash     bool
}

func (a *lyingApp) Info(ctx context.Context, req *abcitypes.InfoRequest) (*abcitypes.InfoResponse, error) {
	res, err := a.Application.Info(ctx, req)
	if err != nil {
		return nil, err
	}
	res.LastBlockHeight += a.heightDelta
	if a.badHash {
		res.LastBlockAppHash = []byte("not the hash at all")
	}
	return res, nil
}

func TestStartRefusesAnAppThatDisagrees(t *testing.T) {
	home := filepath.Join(t.TempDir(), "home")
	if err := Init(home, fastOptions(t, "liar-1")); err != nil {
		t.Fatal(err)
	}
	openApp := func() *kvstore.Application {
		db, err := dbm.NewPebbleDBWithOpts("kvstore-app", filepath.Join(home, "data"), &pebble.Options{Logger: pebbleLogger{log.NewNopLogger()}})
		if err != nil {
			t.Fatal(err)
		}
		return kvstore.NewApplication(db)
	}
	app := openApp()
	n, err := Start(context.Background(), home, app, testLog())
	if err != nil {
		t.Fatal(err)
	}
	waitHeight(t, rpcClient(t, n), 3)
	if err := n.Stop(); err != nil {
		t.Fatal(err)
	}
	app.Close()

	for name, liar := range map[string]*lyingApp{
		"app hash differs": {badHash: true},
		"app ahead":        {heightDelta: 5},
	} {
		t.Run(name, func(t *testing.T) {
			liar.Application = openApp()
			defer liar.Application.Close()
			n, err := Start(context.Background(), home, liar, testLog())
			if err == nil {
				n.Stop()
				t.Fatal("Start succeeded")
			}
			t.Log(err)
			if !errors.Is(err, ErrAppMismatch) || strings.Contains(err.Error(), "\n") || len(err.Error()) > 400 {
				t.Fatalf("error %q: want one short line wrapping ErrAppMismatch", err)
			}
		})
	}
}

// weakenKeyFile replaces the public half of the ed25519 private key in a
// CometBFT key file with the all-zero small-order point.
func weakenKeyFile(t *testing.T, path string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f map[string]any
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	pk := f["priv_key"].(map[string]any)
	b, err := base64.StdEncoding.DecodeString(pk["value"].(string))
	if err != nil || len(b) != 64 {
		t.Fatalf("key value: %v", err)
	}
	clear(b[32:])
	pk["value"] = base64.StdEncoding.EncodeToString(b)
	out, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, string(out))
}
