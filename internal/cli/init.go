package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/node"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// defaultHome is $FOLKMOOT_HOME, or ~/.folkmoot.
func defaultHome() string {
	if h := os.Getenv("FOLKMOOT_HOME"); h != "" {
		return h
	}
	if d, err := os.UserHomeDir(); err == nil {
		return filepath.Join(d, ".folkmoot")
	}
	return ".folkmoot"
}

func homeFlag(c *cobra.Command, dst *string) {
	c.Flags().StringVar(dst, "home", defaultHome(), "node home directory ($FOLKMOOT_HOME)")
}

// constitutionFlags are the rules init can take from flags.
type constitutionFlags struct {
	file       string
	name       string
	founders   []string
	vouches    int
	quorum     string
	threshold  string
	minVoting  time.Duration
	maxVoting  time.Duration
	maxLead    time.Duration
	categories []string
}

func (f *constitutionFlags) add(c *cobra.Command) {
	c.Flags().StringVar(&f.file, "constitution", "", "TOML file with the constitution (flags override its values)")
	c.Flags().StringVar(&f.name, "name", "", "the community's name")
	c.Flags().StringArrayVar(&f.founders, "founder", nil, "founding member as NAME=PUBLIC_KEY_HEX (repeat)")
	c.Flags().IntVar(&f.vouches, "vouches", 0, "vouches from distinct members needed to join")
	c.Flags().StringVar(&f.quorum, "quorum", "", `share of members who must vote, e.g. "1/3"`)
	c.Flags().StringVar(&f.threshold, "threshold", "", `share of yes among yes+no to pass, e.g. "1/2" (more than) or ">=2/3" (at least)`)
	c.Flags().DurationVar(&f.minVoting, "min-voting", 0, "shortest voting period")
	c.Flags().DurationVar(&f.maxVoting, "max-voting", 0, "longest voting period")
	c.Flags().DurationVar(&f.maxLead, "max-lead", 0, "how far ahead voting may be scheduled")
	c.Flags().StringSliceVar(&f.categories, "categories", nil, "proposal categories, comma separated")
}

// build returns the genesis app_state: the constitution from the file, with
// flags applied over it and defaults for what neither gives; validated.
func (f *constitutionFlags) build() ([]byte, core.Constitution, error) {
	var founders []core.Founder
	for _, spec := range f.founders {
		name, key, ok := strings.Cut(spec, "=")
		if !ok {
			return nil, core.Constitution{}, fmt.Errorf("--founder %q: write it as NAME=PUBLIC_KEY_HEX", spec)
		}
		k, err := tx.ParsePublicKey(strings.TrimSpace(key))
		if err != nil {
			return nil, core.Constitution{}, fmt.Errorf("--founder %q: %w", spec, err)
		}
		founders = append(founders, core.Founder{Name: strings.TrimSpace(name), Key: k})
	}
	c := core.DefaultConstitution(f.name, founders)
	if f.file != "" {
		fc, err := readConstitutionFile(f.file)
		if err != nil {
			return nil, c, err
		}
		c = fc
		if f.name != "" {
			c.Name = f.name
		}
		c.Founders = append(c.Founders, founders...)
	}
	if f.vouches > 0 {
		c.VouchesRequired = f.vouches
	}
	for _, r := range []struct {
		flag string
		dst  *core.Ratio
	}{{f.quorum, &c.Quorum}, {f.threshold, &c.Threshold}} {
		if r.flag != "" {
			if err := r.dst.UnmarshalText([]byte(r.flag)); err != nil {
				return nil, c, err
			}
		}
	}
	if f.minVoting > 0 {
		c.MinVoting.Duration = f.minVoting
	}
	if f.maxVoting > 0 {
		c.MaxVoting.Duration = f.maxVoting
	}
	if f.maxLead > 0 {
		c.MaxLead.Duration = f.maxLead
	}
	if len(f.categories) > 0 {
		c.Categories = f.categories
	}
	if len(c.Founders) > 0 && len(c.Founders) < c.VouchesRequired && f.vouches == 0 {
		c.VouchesRequired = len(c.Founders)
	}
	b, err := json.Marshal(core.Genesis{Constitution: c})
	if err != nil {
		return nil, c, err
	}
	if _, err := core.ParseGenesis(b); err != nil {
		return nil, c, err
	}
	return b, c, nil
}

// readConstitutionFile reads a TOML constitution (see
// core.ParseConstitutionTOML).
func readConstitutionFile(path string) (core.Constitution, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return core.Constitution{}, fmt.Errorf("constitution %s: %w", path, err)
	}
	c, err := core.ParseConstitutionTOML(b)
	if err != nil {
		return c, fmt.Errorf("constitution %s: %w", path, err)
	}
	return c, nil
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// chainIDFor derives a chain id from a community name: "Elm Street Co-op"
// gives "elm-street-co-op-1".
func chainIDFor(name string) string {
	s := strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(name), "-"), "-")
	if s == "" {
		s = "community"
	}
	if len(s) > 40 {
		s = strings.Trim(s[:40], "-")
	}
	return s + "-1"
}

type nodeTiming struct {
	timeoutCommit time.Duration
	emptyBlocks   time.Duration
}

func (t *nodeTiming) add(c *cobra.Command) {
	c.Flags().DurationVar(&t.timeoutCommit, "timeout-commit", node.DefaultTimeoutCommit, "wait after each block before the next")
	c.Flags().DurationVar(&t.emptyBlocks, "empty-blocks", node.DefaultEmptyBlocksInterval, "longest time without a block when idle (deadlines pass in block time)")
}

func newInitCmd(s *Streams) *cobra.Command {
	var home, chainID string
	var webHosts []string
	var cf constitutionFlags
	var timing nodeTiming
	c := &cobra.Command{
		Use:   "init",
		Short: "Found a new community: write a node home with its genesis and constitution",
		Long: `init writes a single-validator node home (CometBFT's layout: config/,
data/) whose genesis holds the community's constitution and founding
members. Rules come from --constitution FILE (TOML, see README) and flags.
It also makes the site's self-signed HTTPS certificate (config/web_cert.pem,
key config/web_key.pem), valid for localhost, 127.0.0.1 and every
--web-host, and prints its SHA-256 fingerprint.`,
		Example: `  folkmoot key new alice && folkmoot key new bob
  folkmoot init --name "Elm Street" --founder alice=$(folkmoot key show alice --key-only) \
      --founder bob=$(folkmoot key show bob --key-only) --quorum 1/3 --threshold 1/2
  folkmoot init --constitution town.toml --home /srv/elm`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			appState, cons, err := cf.build()
			if err != nil {
				return fmt.Errorf("init: %w", err)
			}
			if chainID == "" {
				chainID = chainIDFor(cons.Name)
			}
			if !tx.ValidChainID(chainID) {
				return fmt.Errorf("init: chain id %q must be 1 to %d printable ASCII characters", chainID, tx.MaxChainID)
			}
			err = node.Init(home, node.HomeOptions{ChainID: chainID, AppState: appState,
				TimeoutCommit: timing.timeoutCommit, EmptyBlocksInterval: timing.emptyBlocks, LogLevel: "error",
				WebHosts: webHosts})
			if err != nil {
				return err
			}
			fmt.Fprintf(s.Out, "founded %q (chain %s) with %d members in %s\n", cons.Name, chainID, len(cons.Founders), home)
			if wc, err := node.LoadHomeWebCert(home); err == nil {
				fmt.Fprintf(s.Out, "web certificate for %s\n  SHA-256 %s\n", strings.Join(wc.Names, ", "), wc.Fingerprint)
			}
			fmt.Fprintf(s.Out, "start it with: folkmoot start --home %s\n", home)
			return nil
		},
	}
	homeFlag(c, &home)
	c.Flags().StringVar(&chainID, "chain-id", "", "chain id (default: from the name, e.g. elm-street-1)")
	c.Flags().StringArrayVar(&webHosts, "web-host", nil, "host name or IP address the site's certificate names besides localhost (repeat)")
	cf.add(c)
	timing.add(c)
	return c
}
