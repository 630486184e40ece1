package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/folkmoot/folkmoot/internal/client"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// newProposeAmendCmd is "folkmoot propose amend": the author fixes the text
// of their proposal before voting opens.
func newProposeAmendCmd(s *Streams) *cobra.Command {
	var a actFlags
	var title, body, bodyFile string
	c := &cobra.Command{
		Use:   "amend PROPOSAL",
		Short: "Fix the title or text of your own proposal before voting opens",
		Long: `amend replaces the title and the text of your proposal: what you leave out
stays as it is. Only the author may amend, and only before voting opens (an
initiative, only until its first endorsement). Every change stays in the
record and the proposal's page shows it as a diff.`,
		Example: `  folkmoot propose amend 4 --title "Plant an orchard by the pond" --as ada
  folkmoot propose amend 4 --body-file orchard.md --as ada`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseProposal(args[0])
			if err != nil {
				return err
			}
			if body, err = textOrFile(body, bodyFile, "--body"); err != nil {
				return err
			}
			titleSet, bodySet := cmd.Flags().Changed("title"), cmd.Flags().Changed("body") || bodyFile != ""
			if !titleSet && !bodySet {
				return fmt.Errorf("say what changes: --title, --body or --body-file")
			}
			b := &tx.AmendText{Proposal: id, Title: title, Body: body}
			if !titleSet || !bodySet {
				cl, err := client.New(a.node)
				if err != nil {
					return err
				}
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				p, err := cl.Proposal(ctx, id)
				if err != nil {
					return fmt.Errorf("read proposal %d: %w", id, err)
				}
				if !titleSet {
					b.Title = p.Title
				}
				if !bodySet {
					b.Body = p.Body
				}
			}
			return a.act(s, b)
		},
	}
	a.add(c)
	c.Flags().StringVar(&title, "title", "", fmt.Sprintf("the new title (at most %d characters)", tx.MaxTitle))
	c.Flags().StringVar(&body, "body", "", "the new text in Markdown")
	c.Flags().StringVar(&bodyFile, "body-file", "", "read the new Markdown text from a file")
	return c
}
