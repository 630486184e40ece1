package node

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	cfg "github.com/cometbft/cometbft/config"
)

// Settings are folkmoot's own node settings: the [folkmoot] section of
// config/config.toml. CometBFT's loader ignores the section; LoadConfig reads
// it separately.
type Settings struct {
	// WebAddress is the host:port the web UI and HTTP API listen on.
	WebAddress string `toml:"web_address"`
	// SnapshotInterval is how many blocks apart the node writes a snapshot
	// of the application's state to data/snapshots (after every block whose
	// height is a multiple of it); it restarts from the newest and serves
	// them to nodes joining by state sync. 0 writes none.
	SnapshotInterval int64 `toml:"snapshot_interval"`
	// SnapshotPeriod also writes one once this much block time has passed
	// since the last (e.g. "10m"); "0s" or empty: by height only.
	SnapshotPeriod string `toml:"snapshot_period"`
	// SnapshotKeep is how many of the newest snapshots are kept (0: the
	// default).
	SnapshotKeep int `toml:"snapshot_keep"`
	// UnsafeByzantineProposer is for tests only: the node's proposals
	// carry invalid transactions (see byzantine.go), and Open refuses it
	// unless Options.UnsafeTesting is set ("folkmoot start --unsafe-testing").
	UnsafeByzantineProposer bool `toml:"unsafe_byzantine_proposer,omitempty"`
}

// Defaults of the [folkmoot] section.
const (
	DefaultSnapshotInterval = 1000
	DefaultSnapshotKeep     = 3
	DefaultSnapshotPeriod   = "10m"
)

// DefaultSettings returns the settings a new home gets.
func DefaultSettings() Settings {
	return Settings{WebAddress: "127.0.0.1:8080", SnapshotInterval: DefaultSnapshotInterval, SnapshotPeriod: DefaultSnapshotPeriod, SnapshotKeep: DefaultSnapshotKeep}
}

// Config is everything a home's config/config.toml says: CometBFT's
// configuration (rooted at the home) and folkmoot's own section.
type Config struct {
	Comet    *cfg.Config
	Folkmoot Settings
}

// configPath is where a home keeps its config.toml.
func configPath(home string) string {
	return filepath.Join(home, cfg.DefaultConfigDir, cfg.DefaultConfigFileName)
}

// LoadConfig reads home/config/config.toml. Keys the file leaves out keep
// CometBFT's and folkmoot's defaults, as CometBFT's own loader does; the
// result is rooted at home and validated.
func LoadConfig(home string) (*Config, error) {
	path := configPath(home)
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s has no %s", ErrNoHome, home, filepath.Join(cfg.DefaultConfigDir, cfg.DefaultConfigFileName))
	}
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	// Keys the section leaves out keep their defaults.
	settings := DefaultSettings()
	file := struct {
		Folkmoot *Settings `toml:"folkmoot"`
	}{&settings}
	if _, err := toml.Decode(string(raw), &file); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrBadConfig, path, err)
	}
	var tree map[string]any
	if _, err := toml.Decode(string(raw), &tree); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrBadConfig, path, err)
	}
	delete(tree, "folkmoot")

	comet := cfg.DefaultConfig()
	if err := decodeSection(reflect.ValueOf(comet).Elem(), tree, ""); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrBadConfig, path, err)
	}
	comet.SetRoot(home)
	if err := comet.ValidateBasic(); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrBadConfig, path, err)
	}

	if settings.WebAddress == "" {
		settings.WebAddress = DefaultSettings().WebAddress
	}
	if d, err := settings.snapshotPeriod(); err != nil || d < 0 {
		return nil, fmt.Errorf("%w: %s: folkmoot.snapshot_period %q: write a duration like \"10m\"", ErrBadConfig, path, settings.SnapshotPeriod)
	}
	if settings.SnapshotInterval < 0 || settings.SnapshotKeep < 0 {
		return nil, fmt.Errorf("%w: %s: folkmoot.snapshot_interval and folkmoot.snapshot_keep must not be negative", ErrBadConfig, path)
	}
	return &Config{Comet: comet, Folkmoot: settings}, nil
}

// WriteConfig writes c to home/config/config.toml: CometBFT's own template,
// then the [folkmoot] section. It replaces the file atomically.
func WriteConfig(home string, c *Config) error {
	dir := filepath.Join(home, cfg.DefaultConfigDir)
	tmp, err := os.CreateTemp(dir, ".config-*.toml")
	if err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	tmpName := tmp.Name()
	tmp.Close()
	defer os.Remove(tmpName)

	// CometBFT renders its template only to a file, and exits the process if
	// it cannot write it: the temporary file above proves it can.
	cfg.WriteConfigFile(tmpName, c.Comet)
	body, err := os.ReadFile(tmpName)
	if err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	var ours bytes.Buffer
	ours.WriteString("\n#######################################################\n")
	ours.WriteString("###             folkmoot's own settings             ###\n")
	ours.WriteString("#######################################################\n")
	if err := toml.NewEncoder(&ours).Encode(struct {
		Folkmoot Settings `toml:"folkmoot"`
	}{c.Folkmoot}); err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	body = append(body, ours.Bytes()...)
	if err := os.WriteFile(tmpName, body, 0o644); err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	if err := os.Rename(tmpName, configPath(home)); err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	return nil
}

var durationType = reflect.TypeOf(time.Duration(0))

// decodeSection sets the fields of the struct v from the TOML table m, by
// their mapstructure tags, the way CometBFT's viper-based loader does
// (durations as strings like "1s", lists as arrays or comma-separated
// strings, numbers and booleans also as strings, as the template writes
// some of them). Keys with no matching field are ignored, as viper ignores them.
func decodeSection(v reflect.Value, m map[string]any, where string) error {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("mapstructure")
		name, opts, _ := strings.Cut(tag, ",")
		fv := v.Field(i)
		if opts == "squash" {
			if err := decodeSection(fv, m, where); err != nil {
				return err
			}
			continue
		}
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		val, ok := lookup(m, name)
		if !ok {
			continue
		}
		key := name
		if where != "" {
			key = where + "." + name
		}
		if err := setField(fv, val, key); err != nil {
			return err
		}
	}
	return nil
}

// lookup finds key in m ignoring case, as viper does.
func lookup(m map[string]any, key string) (any, bool) {
	if v, ok := m[key]; ok {
		return v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}

func setField(fv reflect.Value, val any, key string) error {
	if fv.Type() == durationType {
		switch x := val.(type) {
		case string:
			d, err := time.ParseDuration(x)
			if err != nil {
				return fmt.Errorf("%s: %q is not a duration", key, x)
			}
			fv.SetInt(int64(d))
		case int64:
			fv.SetInt(x)
		default:
			return fmt.Errorf("%s: %v is not a duration", key, val)
		}
		return nil
	}
	switch fv.Kind() {
	case reflect.Pointer:
		sub, ok := val.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: want a table", key)
		}
		if fv.IsNil() {
			fv.Set(reflect.New(fv.Type().Elem()))
		}
		return decodeSection(fv.Elem(), sub, key)
	case reflect.Struct:
		sub, ok := val.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: want a table", key)
		}
		return decodeSection(fv, sub, key)
	case reflect.String:
		s, ok := val.(string)
		if !ok {
			return fmt.Errorf("%s: want a string", key)
		}
		fv.SetString(s)
	case reflect.Bool:
		b, ok := val.(bool)
		if s, isString := val.(string); isString {
			var err error
			b, err = strconv.ParseBool(s)
			ok = err == nil
		}
		if !ok {
			return fmt.Errorf("%s: want true or false", key)
		}
		fv.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := val.(int64)
		if s, isString := val.(string); isString {
			var err error
			n, err = strconv.ParseInt(strings.TrimSpace(s), 10, 64)
			ok = err == nil
		}
		if !ok {
			return fmt.Errorf("%s: want an integer", key)
		}
		if fv.OverflowInt(n) {
			return fmt.Errorf("%s: %d is out of range", key, n)
		}
		fv.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, ok := val.(int64)
		if s, isString := val.(string); isString {
			var err error
			n, err = strconv.ParseInt(strings.TrimSpace(s), 10, 64)
			ok = err == nil
		}
		if !ok || n < 0 || fv.OverflowUint(uint64(n)) {
			return fmt.Errorf("%s: want a non-negative integer", key)
		}
		fv.SetUint(uint64(n))
	case reflect.Float32, reflect.Float64:
		switch x := val.(type) {
		case float64:
			fv.SetFloat(x)
		case int64:
			fv.SetFloat(float64(x))
		default:
			return fmt.Errorf("%s: want a number", key)
		}
	case reflect.Slice:
		if fv.Type().Elem().Kind() != reflect.String {
			return fmt.Errorf("%s: unsupported list type %s", key, fv.Type())
		}
		var items []string
		switch x := val.(type) {
		case string:
			for s := range strings.SplitSeq(x, ",") {
				if s = strings.TrimSpace(s); s != "" {
					items = append(items, s)
				}
			}
		case []any:
			for _, e := range x {
				s, ok := e.(string)
				if !ok {
					return fmt.Errorf("%s: want a list of strings", key)
				}
				items = append(items, s)
			}
		default:
			return fmt.Errorf("%s: want a list of strings", key)
		}
		fv.Set(reflect.ValueOf(items).Convert(fv.Type()))
	default:
		return fmt.Errorf("%s: unsupported field type %s", key, fv.Type())
	}
	return nil
}

// snapshotPeriod reads SnapshotPeriod; empty is 0.
func (s Settings) snapshotPeriod() (time.Duration, error) {
	if s.SnapshotPeriod == "" {
		return 0, nil
	}
	return time.ParseDuration(s.SnapshotPeriod)
}
