package cli

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/merkle"
	"github.com/folkmoot/folkmoot/internal/query"
	"github.com/folkmoot/folkmoot/internal/tx"
)

func newProveCmd(s *Streams) *cobra.Command {
	var node, output, leaf string
	c := &cobra.Command{
		Use:   "prove TXID",
		Short: "Get the inclusion proof of a transaction (or of any leaf with --leaf)",
		Long: `prove asks a node for the Merkle inclusion proof of a transaction's record
(or, with --leaf N, of accumulator leaf N: a decision, an admission) against
the app hash after the latest block. Save it with --output json and check it
anywhere with "folkmoot verify-proof".`,
		Example: `  folkmoot prove 3f2a…c9 --output json > receipt.json
  folkmoot prove --leaf 42`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			path, data := query.PathLeaf, leaf
			if leaf == "" {
				if len(args) != 1 {
					return fmt.Errorf("give a transaction id, or --leaf N")
				}
				if _, err := tx.ParseID(args[0]); err != nil {
					return fmt.Errorf("transaction id must be 64 hex digits, got %q", args[0])
				}
				path, data = query.PathProof, args[0]
			}
			cl, ctx, cancel, err := dial(node)
			if err != nil {
				return err
			}
			defer cancel()
			var p query.Proof
			if err := cl.Query(ctx, path, data, &p); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(s, p)
			}
			fmt.Fprintf(s.Out, "fact       %s\n", p.Fact)
			fmt.Fprintf(s.Out, "leaf       %d of %d\n", p.Proof.Index, p.Proof.Size)
			fmt.Fprintf(s.Out, "block      %d (its app hash is in the header of block %d)\n", p.Height, p.Height+1)
			fmt.Fprintf(s.Out, "app hash   %s\n", p.AppHash)
			fmt.Fprintf(s.Out, "proof      %d hashes\n", len(p.Proof.Path)+len(p.Proof.Peaks))
			fmt.Fprintf(s.Out, "check it:  folkmoot prove %s --output json > proof.json && folkmoot verify-proof proof.json --app-hash %s\n", argOr(args, "--leaf "+leaf), p.AppHash)
			return nil
		},
	}
	nodeFlag(c, &node)
	outputFlag(c, &output)
	c.Flags().StringVar(&leaf, "leaf", "", "prove accumulator leaf N instead of a transaction")
	return c
}

func argOr(args []string, alt string) string {
	if len(args) > 0 {
		return args[0]
	}
	return alt
}

func newVerifyProofCmd(s *Streams) *cobra.Command {
	var appHash, output string
	c := &cobra.Command{
		Use:   "verify-proof FILE",
		Short: "Check an inclusion proof offline against an app hash",
		Long: `verify-proof checks a proof saved by "folkmoot prove --output json". It needs
nothing else: no node, no history. Give --app-hash with the app hash you
trust (from a block header you obtained yourself, or a neighbour's node); by
default the proof is checked against the app hash written in the file, which
only shows the file is consistent.`,
		Example: `  folkmoot verify-proof receipt.json --app-hash 9c1e…07`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			b, err := os.ReadFile(args[0])
			if err != nil {
				return fmt.Errorf("read proof: %w", err)
			}
			var p query.Proof
			if err := json.Unmarshal(b, &p); err != nil {
				return fmt.Errorf("read proof %s: not a folkmoot proof file: %w", args[0], err)
			}
			root, trusted := p.AppHash, false
			if appHash != "" {
				h, err := merkle.ParseHash(appHash)
				if err != nil {
					return fmt.Errorf("--app-hash: %w", err)
				}
				root, trusted = h, true
			}
			verr := p.Proof.Verify(p.Leaf, root)
			fact := "(a leaf this version cannot read)"
			if f, err := core.DecodeFact(p.Leaf); err == nil {
				fact = f.String()
			}
			if output == "json" {
				if err := writeJSON(s, map[string]any{"valid": verr == nil, "fact": fact, "app_hash": root,
					"trusted_app_hash": trusted, "height": p.Height, "leaf_index": p.Proof.Index}); err != nil {
					return err
				}
			} else if verr == nil {
				fmt.Fprintf(s.Out, "VALID: %s\n", fact)
				fmt.Fprintf(s.Out, "leaf %d is in the record whose app hash after block %d is %s\n", p.Proof.Index, p.Height, root)
				if !trusted {
					fmt.Fprintln(s.Out, "note: checked against the app hash in the file; pass --app-hash with one you trust")
				}
			}
			if verr != nil {
				return &exitError{code: 2, err: fmt.Errorf("INVALID proof: %w", verr)}
			}
			return nil
		},
	}
	c.Flags().StringVar(&appHash, "app-hash", "", "app hash to check against (64 hex digits)")
	outputFlag(c, &output)
	return c
}
