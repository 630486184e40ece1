// Package cli defines folkmoot's command-line interface. Each command lives in
// its own file; this file holds the root command and the shared conventions:
// errors are printed as one line on stderr and give a non-zero exit, read
// commands accept --output text|json.
package cli

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// Streams are the standard streams a command reads and writes. Commands use
// these, never os.Stdout directly, so tests can run them in-process.
type Streams struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

// Main runs the folkmoot command line with args and returns the exit code.
func Main(args []string, in io.Reader, out, errOut io.Writer) int {
	s := &Streams{In: in, Out: out, Err: errOut}
	root := NewRoot(s)
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		fmt.Fprintf(errOut, "folkmoot: %v\n", err)
		var ee *exitError
		if errors.As(err, &ee) {
			return ee.code
		}
		return 1
	}
	return 0
}

// exitError carries a specific exit code out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// NewRoot builds the root command with every subcommand attached.
func NewRoot(s *Streams) *cobra.Command {
	root := &cobra.Command{
		Use:           "folkmoot",
		Short:         "Self-government for communities, on a chain each community runs itself",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(s.In)
	root.SetOut(s.Out)
	root.SetErr(s.Err)
	bench := newBenchCmd(s)
	root.AddCommand(bench)
	for _, add := range commandSet {
		add(s, root, bench)
	}
	return root
}

// commandSet lists the constructors that attach commands to the root and to
// "folkmoot bench". One entry per file of this package.
var commandSet = []func(s *Streams, root, bench *cobra.Command){
	func(s *Streams, root, _ *cobra.Command) {
		root.AddCommand(newLawCmd(s), newRulesCmd(s), newInitiativeCmd(s))
	},
	func(s *Streams, root, bench *cobra.Command) {
		root.AddCommand(newVerifyCmd(s), newStatusCmd(s), newMembersCmd(s), newShowCmd(s),
			newProveCmd(s), newVerifyProofCmd(s), newInitCmd(s), newStartCmd(s), newTestnetCmd(s),
			newExportCmd(s), newDemoCmd(s), newKeyCmd(s), newMemberCmd(s), newProposeCmd(s),
			newCommentCmd(s), newEndorseCmd(s), newVoteCmd(s), newWithdrawCmd(s),
			newDelegateCmd(s), newUndelegateCmd(s))
		bench.AddCommand(newBenchCoreCmd(s), newBenchNodeCmd(s), newBenchConstitutionCmd(s))
	},
	func(s *Streams, root, bench *cobra.Command) {
		root.AddCommand(newCountCmd(s))
		bench.AddCommand(newBenchCountCmd(s))
	},
	func(s *Streams, root, bench *cobra.Command) {
		root.AddCommand(newOfficeCmd(s), newCandidateCmd(s), newElectCmd(s), newRecallCmd(s))
		for _, c := range root.Commands() {
			if c.Name() == "show" {
				c.AddCommand(newShowElectionCmd(s))
			}
		}
		root.AddCommand(newWebCmd(s))
		bench.AddCommand(newBenchWebCmd(s), newBenchWebClientCmd(s))
	},
}

func newBenchCmd(s *Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "bench",
		Short: "Measure folkmoot on this machine and print the figures (JSON with --output json)",
	}
}

// outputFlag adds the --output flag shared by read commands.
func outputFlag(c *cobra.Command, dst *string) {
	c.Flags().StringVarP(dst, "output", "o", "text", "output format: text or json")
}

// checkOutput validates an --output value.
func checkOutput(v string) error {
	if v != "text" && v != "json" {
		return fmt.Errorf("--output must be text or json, not %q", v)
	}
	return nil
}
