package cli

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/folkmoot/folkmoot/internal/keystore"
)

// PassphraseEnv is the environment variable the passphrase of a key in
// the keystore may come from.
const PassphraseEnv = "FOLKMOOT_PASSPHRASE"

// BackupPassphraseEnv is the environment variable the passphrase of a key
// backup file ("key export", "key import") may come from. It is separate
// from PassphraseEnv so that a backup is never silently encrypted under the
// keystore's passphrase: whoever learns one secret must not hold both.
const BackupPassphraseEnv = "FOLKMOOT_BACKUP_PASSPHRASE"

// keyFlags pick a key from the keystore and say where its passphrase
// comes from: --passphrase-file, $FOLKMOOT_PASSPHRASE (or env when set),
// or a prompt on the terminal, in that order.
type keyFlags struct {
	home     string
	alias    string
	passFile string
	env      string // the variable to read; PassphraseEnv when empty
}

func (k *keyFlags) add(c *cobra.Command) {
	homeFlag(c, &k.home)
	c.Flags().StringVar(&k.alias, "as", "", "name of your key in the keystore")
	c.MarkFlagRequired("as")
	c.Flags().StringVar(&k.passFile, "passphrase-file", "", "read the key's passphrase from the first line of this file")
}

// passphrase returns the passphrase source: --passphrase-file, then
// $FOLKMOOT_PASSPHRASE (or k.env), then a prompt on the terminal (asked
// twice when confirm, for new keys).
func (k *keyFlags) passphrase(s *Streams, what string, confirm bool) keystore.Passphrase {
	var file keystore.Passphrase
	if k.passFile != "" {
		file = keystore.FilePassphrase(k.passFile)
	}
	env := k.env
	if env == "" {
		env = PassphraseEnv
	}
	return func() ([]byte, error) {
		var tty *os.File
		if f, err := os.OpenFile("/dev/tty", os.O_RDWR, 0); err == nil {
			tty = f
			defer f.Close()
		}
		return keystore.FirstPassphrase(file, keystore.EnvPassphrase(env),
			keystore.PromptPassphrase(tty, "Passphrase for "+what, confirm))()
	}
}

// load opens the key named by --as.
func (k *keyFlags) load(s *Streams) (ed25519.PrivateKey, error) {
	ks, err := keystore.Open(k.home)
	if err != nil {
		return nil, err
	}
	warnKey(s, ks, k.alias)
	return ks.Load(k.alias, k.passphrase(s, fmt.Sprintf("key %q", k.alias), false))
}

func newKeyCmd(s *Streams) *cobra.Command {
	key := &cobra.Command{Use: "key", Short: "Make and list your keys (age-encrypted in HOME/keys)"}

	var nk keyFlags
	var insecure bool
	newCmd := &cobra.Command{
		Use:   "new NAME",
		Short: "Make a new key, encrypted under a passphrase",
		Long: `key new makes an ed25519 key pair and stores it in HOME/keys/NAME.key,
encrypted with age under a passphrase (asked on the terminal, or from
--passphrase-file or $FOLKMOOT_PASSPHRASE). The public key is printed; give
it to the members who will vouch for you.`,
		Example: "  folkmoot key new ada\n  FOLKMOOT_PASSPHRASE=… folkmoot key new ada --home /srv/elm",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ks, err := keystore.Open(nk.home)
			if err != nil {
				return err
			}
			if err := keystore.CheckAlias(args[0]); err != nil {
				return err
			}
			var pass keystore.Passphrase
			if insecure {
				fmt.Fprintln(s.Err, keystore.InsecureWarning(args[0]))
			} else {
				pass = nk.passphrase(s, fmt.Sprintf("new key %q", args[0]), true)
			}
			key, err := ks.New(args[0], pass, keystore.Options{InsecureUnencrypted: insecure, Created: time.Now().UTC().Format(time.RFC3339)})
			if err != nil {
				return err
			}
			info := key.Info
			fmt.Fprintf(s.Out, "key %q stored in %s\npublic key %s\n", info.Alias, ks.Dir(), info.PublicKey)
			return nil
		},
	}
	homeFlag(newCmd, &nk.home)
	newCmd.Flags().StringVar(&nk.passFile, "passphrase-file", "", "read the passphrase from the first line of this file")
	newCmd.Flags().BoolVar(&insecure, "insecure-unencrypted", false, "store the key without encryption (throwaway demos only)")

	var lk keyFlags
	var output string
	list := &cobra.Command{
		Use:     "list",
		Short:   "List your keys (no passphrase needed)",
		Example: "  folkmoot key list --output json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			ks, err := keystore.Open(lk.home)
			if err != nil {
				return err
			}
			infos, err := ks.List()
			if err != nil {
				return err
			}
			if output == "json" {
				if infos == nil {
					infos = []keystore.Info{}
				}
				return writeJSON(s, infos)
			}
			if len(infos) == 0 {
				fmt.Fprintf(s.Out, "no keys in %s (make one with \"folkmoot key new NAME\")\n", ks.Dir())
			}
			for _, i := range infos {
				note := ""
				if !i.Encrypted {
					note = "  (UNENCRYPTED)"
				}
				fmt.Fprintf(s.Out, "%-20s %s%s\n", i.Alias, i.PublicKey, note)
			}
			return nil
		},
	}
	homeFlag(list, &lk.home)
	outputFlag(list, &output)

	var sk keyFlags
	var keyOnly bool
	var showOut string
	show := &cobra.Command{
		Use:     "show NAME",
		Short:   "Show a key's public key",
		Example: "  folkmoot key show ada\n  folkmoot init --founder ada=$(folkmoot key show ada --key-only) …",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(showOut); err != nil {
				return err
			}
			ks, err := keystore.Open(sk.home)
			if err != nil {
				return err
			}
			info, err := ks.Show(args[0])
			if err != nil {
				return err
			}
			warnKey(s, ks, args[0])
			switch {
			case keyOnly:
				fmt.Fprintln(s.Out, info.PublicKey)
			case showOut == "json":
				return writeJSON(s, info)
			default:
				fmt.Fprintf(s.Out, "key        %s\npublic key %s\nencrypted  %v\n", info.Alias, info.PublicKey, info.Encrypted)
			}
			return nil
		},
	}
	homeFlag(show, &sk.home)
	show.Flags().BoolVar(&keyOnly, "key-only", false, "print only the public key (for scripts)")
	outputFlag(show, &showOut)

	key.AddCommand(newCmd, list, show, newKeyExportCmd(s), newKeyImportCmd(s))
	return key
}

// newKeyExportCmd writes a key as a backup file the web site can import
// (PBKDF2 + AES-GCM, readable with WebCrypto alone; see keystore.ExportBackup).
func newKeyExportCmd(s *Streams) *cobra.Command {
	var k keyFlags
	var out, backupPassFile string
	c := &cobra.Command{
		Use:   "export NAME -o FILE",
		Short: "Write a key to an encrypted backup file (to move it to a browser or another machine)",
		Long: `key export opens NAME with its passphrase and writes an encrypted backup
(PBKDF2-SHA256 and AES-256-GCM, a format a web browser can read with
WebCrypto alone) under a backup passphrase of its own.

The key's passphrase comes from --passphrase-file, $` + PassphraseEnv + `
or the terminal. The backup passphrase comes from --backup-passphrase-file,
$` + BackupPassphraseEnv + ` or the terminal (asked twice), never from
$` + PassphraseEnv + `: the backup must not fall to whoever knows the
keystore's passphrase.`,
		Example: "  folkmoot key export ada -o ada-backup.json\n  " + BackupPassphraseEnv + "=… folkmoot key export ada -o ada-backup.json",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			k.alias = args[0]
			priv, err := k.load(s)
			if err != nil {
				return err
			}
			pass, err := backupPassphrase(s, backupPassFile, true)
			if err != nil {
				return fmt.Errorf("key export: %w", err)
			}
			data, err := keystore.ExportBackup(priv, k.alias, pass)
			if err != nil {
				return err
			}
			if err := writeFileNew(out, data); err != nil {
				return fmt.Errorf("key export: %w", err)
			}
			fmt.Fprintf(s.Out, "key %q written to %s\n", k.alias, out)
			return nil
		},
	}
	homeFlag(c, &k.home)
	c.Flags().StringVar(&k.passFile, "passphrase-file", "", "passphrase of the key in the keystore")
	c.Flags().StringVar(&backupPassFile, "backup-passphrase-file", "", "read the backup file's passphrase from the first line of this file (else $"+BackupPassphraseEnv+" or the terminal)")
	c.Flags().StringVarP(&out, "out", "o", "", "backup file to write (must not exist)")
	c.MarkFlagRequired("out")
	return c
}

// newKeyImportCmd stores a key from a backup file made by "key export" or
// by the web site.
func newKeyImportCmd(s *Streams) *cobra.Command {
	var k keyFlags
	var backupPassFile string
	c := &cobra.Command{
		Use:   "import NAME FILE",
		Short: "Store a key from an encrypted backup file (made by \"key export\" or the web site)",
		Long: `key import opens a backup file made by "key export" or the web site and
stores its key in the keystore as NAME.

The backup's passphrase comes from --backup-passphrase-file,
$` + BackupPassphraseEnv + ` or the terminal, never from $` + PassphraseEnv + `.
The passphrase to store the key under comes from --passphrase-file,
$` + PassphraseEnv + ` or the terminal (asked twice).`,
		Example: "  folkmoot key import ada ada-backup.json",
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := os.ReadFile(args[1])
			if err != nil {
				return fmt.Errorf("key import: %w", err)
			}
			bpass, err := backupPassphrase(s, backupPassFile, false)
			if err != nil {
				return fmt.Errorf("key import: %w", err)
			}
			priv, _, err := keystore.ImportBackup(data, bpass)
			if err != nil {
				return err
			}
			ks, err := keystore.Open(k.home)
			if err != nil {
				return err
			}
			key, err := ks.Import(args[0], priv.Seed(), k.passphrase(s, fmt.Sprintf("key %q in the keystore", args[0]), true),
				keystore.Options{Created: time.Now().UTC().Format(time.RFC3339)})
			if err != nil {
				return err
			}
			fmt.Fprintf(s.Out, "key %q stored in %s\npublic key %s\n", key.Alias, ks.Dir(), key.PublicKey)
			return nil
		},
	}
	homeFlag(c, &k.home)
	c.Flags().StringVar(&k.passFile, "passphrase-file", "", "passphrase to store the key under")
	c.Flags().StringVar(&backupPassFile, "backup-passphrase-file", "", "read the backup file's passphrase from the first line of this file (else $"+BackupPassphraseEnv+" or the terminal)")
	return c
}

// warnKey prints, on standard error, the store's warnings about a key
// that is shown or used: unencrypted, or open to other users.
func warnKey(s *Streams, ks *keystore.Store, alias string) {
	if ks.IsInsecure(alias) {
		fmt.Fprintln(s.Err, keystore.InsecureWarning(alias))
	}
	if w := ks.PermissionWarning(alias); w != "" {
		fmt.Fprintln(s.Err, w)
	}
}

// backupPassphrase asks for the passphrase of a backup file: from file,
// $FOLKMOOT_BACKUP_PASSPHRASE or the terminal (twice when confirm), never
// from the keystore's $FOLKMOOT_PASSPHRASE.
func backupPassphrase(s *Streams, file string, confirm bool) ([]byte, error) {
	bk := keyFlags{passFile: file, env: BackupPassphraseEnv}
	p, err := bk.passphrase(s, "the backup file", confirm)()
	if errors.Is(err, keystore.ErrNoPassphrase) {
		return nil, fmt.Errorf("the backup file needs its own passphrase: give --backup-passphrase-file, set $%s, or run on a terminal (%w)", BackupPassphraseEnv, err)
	}
	return p, err
}

// writeFileNew writes data to path, mode 0600, refusing to overwrite.
func writeFileNew(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}
