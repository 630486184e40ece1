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
	root.AddCommand(commands(s)...)
	return root
}

// commands are folkmoot's top-level commands, each built with its own
// subcommands; help lists them sorted by name.
func commands(s *Streams) []*cobra.Command {
	return []*cobra.Command{
		// A node and its community.
		newInitCmd(s), newStartCmd(s), newTestnetCmd(s), newDemoCmd(s), newWebCmd(s),
		// Keys.
		newKeyCmd(s),
		// Reading the record.
		newStatusCmd(s), newMembersCmd(s), newShowCmd(s), newLawCmd(s), newRulesCmd(s),
		newExportCmd(s), newVerifyCmd(s), newProveCmd(s), newVerifyProofCmd(s),
		// Acting as a member.
		newMemberCmd(s), newProposeCmd(s), newCommentCmd(s), newEndorseCmd(s), newVoteCmd(s),
		newWithdrawCmd(s), newDelegateCmd(s), newUndelegateCmd(s), newInitiativeCmd(s),
		newOfficeCmd(s), newCandidateCmd(s), newElectCmd(s), newRecallCmd(s), newTrusteeCmd(s), newDrawCmd(s), newDeclareCmd(s),
		// Counting and measuring.
		newCountCmd(s), newBenchCmd(s),
	}
}

func newBenchCmd(s *Streams) *cobra.Command {
	bench := &cobra.Command{
		Use:   "bench",
		Short: "Measure folkmoot on this machine and print the figures (JSON with --output json)",
	}
	bench.AddCommand(newBenchCoreCmd(s), newBenchNodeCmd(s), newBenchRestartCmd(s), newBenchChaosCmd(s), newBenchConstitutionCmd(s), newBenchCountCmd(s),
		newBenchWebCmd(s), newBenchWebClientCmd(s), newBenchBallotCmd(s), newBenchSortitionCmd(s))
	return bench
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
