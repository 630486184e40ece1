package query

import (
	"github.com/folkmoot/folkmoot/internal/core"
)

// MaxDelegators bounds how many delegators a delegation graph lists per
// category; the rest are counted in Omitted.
const MaxDelegators = 500

// Hop is one member a delegation chain passes through.
type Hop struct {
	Member uint32 `json:"member"`
	Name   string `json:"name"`
	Left   bool   `json:"left,omitempty"` // no longer a member: the chain carries nothing past here
}

// Delegator is a member who delegates, directly or through others, to the
// member at the root of a graph, with those who delegate to them.
type Delegator struct {
	Hop
	// Depth is 1 for a direct delegator, 2 for who delegates to them, ...
	Depth      int         `json:"depth"`
	Delegators []Delegator `json:"delegators"`
}

// CategoryDelegations is one member's place in the delegations on one
// category.
type CategoryDelegations struct {
	Category string `json:"category"`
	// Chain is where the member's own vote goes when they do not vote: their
	// delegate, that delegate's, and so on (empty when they delegate to
	// nobody). Cycle reports that the chain comes back to a member already
	// in it (its last hop), so it ends with nobody's ballot unless someone
	// on it votes.
	Chain []Hop `json:"chain"`
	Cycle bool  `json:"cycle,omitempty"`
	// Delegators are those whose vote reaches the member, as a tree.
	Delegators []Delegator `json:"delegators"`
	// Total is how many members delegate to the member, transitively;
	// Omitted how many of them the tree leaves out (beyond MaxDelegators).
	Total   int `json:"total"`
	Omitted int `json:"omitted,omitempty"`
}

// DelegationGraph is a member's delegations: to whom they delegate on each
// category and who delegates to them, as they stand after the latest block.
type DelegationGraph struct {
	Member     uint32                `json:"member"`
	Name       string                `json:"name"`
	Categories []CategoryDelegations `json:"categories"`
}

// DelegationsOf returns member m's delegation graph, with a category for
// each in which m delegates or is delegated to, in category order.
func DelegationsOf(s *core.State, m *core.Member) DelegationGraph {
	g := DelegationGraph{Member: m.Number, Name: m.Name, Categories: []CategoryDelegations{}}
	hop := func(n uint32) Hop {
		h := Hop{Member: n}
		if x, ok := s.MemberByNumber(n); ok {
			h.Name, h.Left = x.Name, x.Left
		}
		return h
	}
	// Delegations come sorted by category, then delegator, so the
	// categories and every list below are in a fixed order.
	all := s.Delegations()
	for i := 0; i < len(all); {
		cat := all[i].Category
		j := i
		to := make(map[uint32][]uint32)
		for ; j < len(all) && all[j].Category == cat; j++ {
			to[all[j].To] = append(to[all[j].To], all[j].Member) // appended in delegator order
		}
		i = j
		cd := CategoryDelegations{Category: cat, Chain: []Hop{}, Delegators: []Delegator{}}
		seen := map[uint32]bool{m.Number: true}
		for x, ok := s.DelegateOf(m.Number, cat); ok; x, ok = s.DelegateOf(x, cat) {
			cd.Chain = append(cd.Chain, hop(x))
			if seen[x] {
				cd.Cycle = true
				break
			}
			seen[x] = true
		}
		visited := map[uint32]bool{m.Number: true}
		budget := MaxDelegators
		var walk func(n uint32, depth int) []Delegator
		walk = func(n uint32, depth int) []Delegator {
			out := []Delegator{}
			for _, d := range to[n] {
				if visited[d] {
					continue
				}
				visited[d] = true
				cd.Total++
				if budget == 0 {
					cd.Omitted++
					walk(d, depth+1)
					continue
				}
				budget--
				out = append(out, Delegator{Hop: hop(d), Depth: depth})
				k := len(out) - 1
				out[k].Delegators = walk(d, depth+1)
			}
			return out
		}
		cd.Delegators = walk(m.Number, 1)
		if len(cd.Chain) > 0 || cd.Total > 0 {
			g.Categories = append(g.Categories, cd)
		}
	}
	return g
}
