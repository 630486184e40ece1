package cli

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/folkmoot/folkmoot/internal/tx"
)

func newDeclareCmd(s *Streams) *cobra.Command {
	var a actFlags
	var attrs []string
	c := &cobra.Command{
		Use:   "declare",
		Short: "Declare your attributes (neighbourhood, age band, …) for stratified draws",
		Long: `declare replaces your declared attributes with those given (none clears
them). They are public. A stratified draw by lot sets quotas over them;
when you volunteer for one, the draw keeps the values you had declared.`,
		Example: "  folkmoot declare --as ada --attr street=Elm --attr age=30-49",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var out []tx.Attribute
			for _, kv := range attrs {
				k, v, ok := strings.Cut(kv, "=")
				if !ok {
					return fmt.Errorf("--attr %q: write NAME=VALUE, e.g. street=Elm", kv)
				}
				out = append(out, tx.Attribute{Name: k, Value: v})
			}
			slices.SortFunc(out, func(x, y tx.Attribute) int { return strings.Compare(x.Name, y.Name) })
			return a.act(s, &tx.Declare{Attributes: out})
		},
	}
	a.add(c)
	c.Flags().StringArrayVar(&attrs, "attr", nil, "an attribute as NAME=VALUE (repeat)")
	return c
}
