package sortition

import (
	"fmt"
	"slices"
)

// Draw picks one panel of the distribution with the stream of seed under
// TagPanel: r = Below(Units) chooses the first panel (in the published
// order) whose running total of weights exceeds r; then, for each of its
// types in increasing type order, the type's seats go to the members
// chosen by the partial Fisher–Yates shuffle of Uniform, continued on the
// same stream, over the type's members. The members are returned in
// increasing order.
func (d *Distribution) Draw(seed [32]byte) ([]uint32, error) {
	if len(d.Panels) == 0 {
		return nil, fmt.Errorf("draw: %w", errNoPanels)
	}
	s := NewStream(seed, TagPanel)
	r := s.Below(Units)
	var acc uint64
	k := len(d.Panels) - 1
	for i, pn := range d.Panels {
		acc += pn.Weight
		if r < acc {
			k = i
			break
		}
	}
	var out []uint32
	for _, ts := range d.Panels[k].Seats {
		if ts.Type < 0 || ts.Type >= len(d.Types) || ts.Count < 0 || ts.Count > len(d.Types[ts.Type].Members) {
			return nil, fmt.Errorf("draw: panel %d gives %d seats to type %d, which does not have them", k, ts.Count, ts.Type)
		}
		out = append(out, shuffleDraw(s, d.Types[ts.Type].Members, ts.Count)...)
	}
	slices.Sort(out)
	return out, nil
}

// Check verifies that d is a lottery for in: its types are exactly the
// instance's volunteers grouped by their values, every panel has the
// seats and meets every quota, the weights are positive and add up to
// Units, and the published probabilities are those the weights give. It
// is what a verifier runs on a published distribution before checking a
// draw; it does not re-check optimality (re-run Leximin for that).
func (d *Distribution) Check(in Instance) error {
	p, err := compile(&in)
	if err != nil {
		return fmt.Errorf("check distribution: %w", err)
	}
	if d.Seats != p.seats {
		return fmt.Errorf("check distribution: %d seats, the instance has %d", d.Seats, p.seats)
	}
	if len(d.Types) != len(p.types) {
		return fmt.Errorf("check distribution: %d types, the instance has %d", len(d.Types), len(p.types))
	}
	for t, ty := range p.types {
		if !slices.Equal(ty.members, d.Types[t].Members) {
			return fmt.Errorf("check distribution: type %d differs from the instance's", t)
		}
		for f, c := range ty.cells {
			if d.Types[t].Values[f] != p.in.Features[f].Values[p.cells[c].value].Value {
				return fmt.Errorf("check distribution: type %d has the wrong value of %s", t, p.in.Features[f].Name)
			}
		}
	}
	var total uint64
	seatUnits := make([]uint64, len(p.types))
	for i, pn := range d.Panels {
		if pn.Weight == 0 || pn.Weight > Units {
			return fmt.Errorf("check distribution: panel %d has weight %d", i, pn.Weight)
		}
		total += pn.Weight
		cnt := make([]int, len(p.cells))
		seats := 0
		for j, ts := range pn.Seats {
			if ts.Type < 0 || ts.Type >= len(p.types) || (j > 0 && ts.Type <= pn.Seats[j-1].Type) {
				return fmt.Errorf("check distribution: panel %d: types not increasing or out of range", i)
			}
			if ts.Count < 1 || ts.Count > len(p.types[ts.Type].members) {
				return fmt.Errorf("check distribution: panel %d gives %d seats to type %d", i, ts.Count, ts.Type)
			}
			seats += ts.Count
			for _, c := range p.types[ts.Type].cells {
				cnt[c] += ts.Count
			}
			seatUnits[ts.Type] += pn.Weight * uint64(ts.Count)
		}
		if seats != p.seats {
			return fmt.Errorf("check distribution: panel %d has %d seats", i, seats)
		}
		for c, n := range cnt {
			if n < p.cells[c].lo || n > p.cells[c].hi {
				return fmt.Errorf("check distribution: panel %d has %d seats of %s, quota [%d, %d]", i, n, p.cellName(c), p.cells[c].lo, p.cells[c].hi)
			}
		}
	}
	if total != Units {
		return fmt.Errorf("check distribution: weights add up to %d, not %d", total, uint64(Units))
	}
	want := probabilities(d.Types, seatUnits)
	if !slices.Equal(want, d.Probabilities) {
		return fmt.Errorf("check distribution: published probabilities differ from the weights'")
	}
	return nil
}

// Lottery rebuilds the distribution that panels describe for the instance
// — its types (the volunteers grouped by their values, as Leximin groups
// them) and each member's probability — and checks it (see Check). It is
// how a published lottery is taken back from its panels alone: integer
// work but one division per type, the same on every machine.
func Lottery(in Instance, panels []Panel) (*Distribution, error) {
	p, err := compile(&in)
	if err != nil {
		return nil, fmt.Errorf("lottery: %w", err)
	}
	d := &Distribution{Seats: p.seats, Panels: panels}
	seatUnits := make([]uint64, len(p.types))
	for _, ty := range p.types {
		vals := make([]string, len(ty.cells))
		for f, c := range ty.cells {
			vals[f] = p.in.Features[f].Values[p.cells[c].value].Value
		}
		d.Types = append(d.Types, Type{Values: vals, Members: ty.members})
	}
	for _, pn := range panels {
		for _, ts := range pn.Seats {
			if ts.Type >= 0 && ts.Type < len(seatUnits) {
				seatUnits[ts.Type] += pn.Weight * uint64(ts.Count)
			}
		}
	}
	d.Probabilities = probabilities(d.Types, seatUnits)
	if err := d.Check(in); err != nil {
		return nil, err
	}
	return d, nil
}
