package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/folkmoot/folkmoot/internal/client"
)

func newExportCmd(s *Streams) *cobra.Command {
	var node, out string
	c := &cobra.Command{
		Use:   "export",
		Short: "Write the community's whole signed record to a history file",
		Long: `export fetches the genesis and every committed block (transactions, result
codes, app hashes) from a node and writes them as a history file, which
"folkmoot verify" checks offline. Any member can export from any node: the
file carries its own proof.`,
		Example: `  folkmoot export -o history.fmh && folkmoot verify history.fmh`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cl, err := client.New(node)
			if err != nil {
				return err
			}
			n, err := exportTo(context.Background(), cl, out, s)
			if err != nil {
				return err
			}
			fmt.Fprintf(s.Out, "wrote %d blocks to %s\n", n, out)
			return nil
		},
	}
	nodeFlag(c, &node)
	c.Flags().StringVarP(&out, "out", "o", "history.fmh", "history file to write")
	return c
}

// exportTo writes the history atomically: to a temporary file renamed into
// place, so a failed export leaves no half file.
func exportTo(ctx context.Context, cl *client.Client, path string, s *Streams) (int64, error) {
	f, err := os.CreateTemp(filepath.Dir(path), ".export-*")
	if err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	defer os.Remove(f.Name())
	last := time.Now()
	n, err := cl.Export(ctx, f, func(h, top int64) {
		if time.Since(last) > 2*time.Second {
			last = time.Now()
			fmt.Fprintf(s.Err, "exported %d of %d blocks\n", h, top)
		}
	})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	return n, nil
}
