package sortition

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
)

// Limits of an instance, so that a decoder fed anything stays bounded.
const (
	MaxVolunteers = 1 << 20
	MaxFeatures   = 16
	MaxValues     = 256
	MaxNameBytes  = 128
)

// Instance is one stratified draw to be made: the volunteers who may be
// chosen, the features they declared (neighbourhood, age band, …) and, per
// value of each feature, the quota of seats.
type Instance struct {
	// Seats is the size of the panel.
	Seats int `json:"seats"`
	// Features lists each feature with its values and their quotas.
	Features []Feature `json:"features"`
	// Volunteers lists the pool, in strictly increasing member order.
	Volunteers []Volunteer `json:"volunteers"`
}

// Feature is one declared attribute and the quota of each of its values.
// Every volunteer has exactly one value of every feature.
type Feature struct {
	Name   string  `json:"name"`
	Values []Quota `json:"values"`
}

// Quota bounds the number of seats held by volunteers with one value of a
// feature: Min ≤ seats ≤ Max.
type Quota struct {
	Value string `json:"value"`
	Min   int    `json:"min"`
	Max   int    `json:"max"`
}

// Volunteer is one member of the pool: Values[f] is their value of
// Features[f].
type Volunteer struct {
	Member uint32   `json:"member"`
	Values []string `json:"values"`
}

// ParseInstance decodes an instance from JSON (unknown fields refused) and
// checks it with Validate.
func ParseInstance(data []byte) (Instance, error) {
	var in Instance
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return Instance{}, fmt.Errorf("parse instance: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Instance{}, errors.New("parse instance: data after the instance")
	}
	if err := in.Validate(); err != nil {
		return Instance{}, fmt.Errorf("parse instance: %w", err)
	}
	return in, nil
}

// Validate checks the shape of the instance: sizes within the limits,
// names present and distinct, 0 ≤ Min ≤ Max, members strictly increasing,
// and every volunteer holding one declared value of each feature. It does
// not check that the quotas can be met; Leximin does.
func (in *Instance) Validate() error {
	if in.Seats < 1 {
		return fmt.Errorf("seats %d: a panel has at least one seat", in.Seats)
	}
	if len(in.Volunteers) > MaxVolunteers {
		return fmt.Errorf("%d volunteers: at most %d", len(in.Volunteers), MaxVolunteers)
	}
	if len(in.Features) > MaxFeatures {
		return fmt.Errorf("%d features: at most %d", len(in.Features), MaxFeatures)
	}
	index := make([]map[string]int, len(in.Features))
	names := make(map[string]bool, len(in.Features))
	for f, feat := range in.Features {
		if err := checkName(feat.Name); err != nil {
			return fmt.Errorf("feature %d: %w", f, err)
		}
		if names[feat.Name] {
			return fmt.Errorf("feature %q declared twice", feat.Name)
		}
		names[feat.Name] = true
		if len(feat.Values) == 0 || len(feat.Values) > MaxValues {
			return fmt.Errorf("feature %q has %d values: between 1 and %d", feat.Name, len(feat.Values), MaxValues)
		}
		index[f] = make(map[string]int, len(feat.Values))
		for v, q := range feat.Values {
			if err := checkName(q.Value); err != nil {
				return fmt.Errorf("feature %q value %d: %w", feat.Name, v, err)
			}
			if _, dup := index[f][q.Value]; dup {
				return fmt.Errorf("feature %q: value %q declared twice", feat.Name, q.Value)
			}
			index[f][q.Value] = v
			if q.Min < 0 || q.Max < q.Min {
				return fmt.Errorf("quota %s=%s is [%d, %d]: need 0 ≤ min ≤ max", feat.Name, q.Value, q.Min, q.Max)
			}
		}
	}
	for i, v := range in.Volunteers {
		if i > 0 && v.Member <= in.Volunteers[i-1].Member {
			return fmt.Errorf("volunteers not in strictly increasing member order: %d follows %d", v.Member, in.Volunteers[i-1].Member)
		}
		if len(v.Values) != len(in.Features) {
			return fmt.Errorf("member %d has %d values for %d features", v.Member, len(v.Values), len(in.Features))
		}
		for f, val := range v.Values {
			if _, ok := index[f][val]; !ok {
				return fmt.Errorf("member %d: %q is not a value of feature %q", v.Member, val, in.Features[f].Name)
			}
		}
	}
	return nil
}

func checkName(s string) error {
	if s == "" {
		return errors.New("empty name")
	}
	if len(s) > MaxNameBytes {
		return fmt.Errorf("name of %d bytes: at most %d", len(s), MaxNameBytes)
	}
	return nil
}

// syntheticFeature describes one feature of SyntheticInstance: population
// shares (which set the quotas) and volunteering weights (which set the
// pool), both in arbitrary integer units.
type syntheticFeature struct {
	name   string
	values []string
	pop    []int
	vol    []int
}

// syntheticFeatures returns the four features of SyntheticInstance.
func syntheticFeatures() []syntheticFeature {
	return []syntheticFeature{
		{"neighbourhood", []string{"n01", "n02", "n03", "n04", "n05", "n06", "n07", "n08", "n09", "n10"},
			[]int{12, 11, 10, 10, 10, 10, 10, 9, 9, 9}, []int{18, 14, 12, 10, 10, 9, 8, 7, 6, 6}},
		{"age", []string{"16-29", "30-44", "45-59", "60-74", "75+"},
			[]int{22, 26, 25, 18, 9}, []int{10, 20, 28, 30, 12}},
		{"education", []string{"none", "secondary", "vocational", "degree", "postgraduate"},
			[]int{15, 35, 20, 20, 10}, []int{6, 24, 18, 30, 22}},
		{"housing", []string{"owner", "mortgage", "private-rent", "social-rent", "other"},
			[]int{30, 25, 20, 17, 8}, []int{40, 25, 15, 12, 8}},
	}
}

// SyntheticInstance returns a seeded instance resembling a real citizens'
// assembly recruitment: four features with 10 + 5 + 5 + 5 = 25 values
// (neighbourhood, age band, education, housing), a pool that over-represents
// older, more educated home owners, education correlated with neighbourhood
// and housing with age, and quotas [⌊s⌋, ⌈s⌉] around each value's population
// share s of the seats. Members are numbered 1 … volunteers. The same
// arguments give the same instance on every machine.
func SyntheticInstance(seed, volunteers, seats int) Instance {
	var sd [32]byte
	binary.BigEndian.PutUint64(sd[24:], uint64(seed))
	s := NewStream(sd, "synthetic")
	in := Instance{Seats: seats}
	feats := syntheticFeatures()
	for _, sf := range feats {
		total := 0
		for _, p := range sf.pop {
			total += p
		}
		f := Feature{Name: sf.name}
		for v, p := range sf.pop {
			lo := p * seats / total
			hi := (p*seats + total - 1) / total
			f.Values = append(f.Values, Quota{Value: sf.values[v], Min: lo, Max: hi})
		}
		in.Features = append(in.Features, f)
	}
	w := make([]int, 10)
	for m := 1; m <= volunteers; m++ {
		vals := make([]string, len(feats))
		var nb, age int
		for f, sf := range feats {
			w = w[:0]
			for j, x := range sf.vol {
				switch f {
				case 2: // education leans with neighbourhood
					x = x * max(1, 20+(nb-5)*(j-2)) / 20
				case 3: // housing leans with age: the young rent, the old own
					x = x * max(1, 20+(age-2)*(2-j)*2) / 20
				}
				w = append(w, max(1, x))
			}
			v := pickWeighted(s, w)
			switch f {
			case 0:
				nb = v
			case 1:
				age = v
			}
			vals[f] = sf.values[v]
		}
		in.Volunteers = append(in.Volunteers, Volunteer{Member: uint32(m), Values: vals})
	}
	return in
}

// pickWeighted returns index i with probability w[i]/Σw.
func pickWeighted(s *Stream, w []int) int {
	total := 0
	for _, x := range w {
		total += x
	}
	r := int(s.Below(uint64(total)))
	for i, x := range w {
		if r < x {
			return i
		}
		r -= x
	}
	return len(w) - 1
}

// problem is an instance compiled for the algorithms: quota cells
// flattened, and volunteers grouped into types (volunteers with the same
// value of every feature), which any fair method must treat alike.
type problem struct {
	in       *Instance
	seats    int
	cells    []cell  // every (feature, value), feature-major
	featCell [][]int // featCell[f] lists the cells of feature f
	types    []ptype // sorted by their values, feature by feature
}

type cell struct {
	feature, value int
	lo, hi         int
	have           int // volunteers with this value
}

type ptype struct {
	members []uint32 // strictly increasing
	cells   []int    // cells[f] is the type's cell of feature f
}

// compile validates in and builds its problem.
func compile(in *Instance) (*problem, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	p := &problem{in: in, seats: in.Seats, featCell: make([][]int, len(in.Features))}
	index := make([]map[string]int, len(in.Features))
	for f, feat := range in.Features {
		index[f] = make(map[string]int, len(feat.Values))
		for v, q := range feat.Values {
			index[f][q.Value] = len(p.cells)
			p.featCell[f] = append(p.featCell[f], len(p.cells))
			p.cells = append(p.cells, cell{feature: f, value: v, lo: q.Min, hi: q.Max})
		}
	}
	byKey := make(map[string]int)
	keys := []string{}
	var groups [][]uint32
	var cellsOf [][]int
	for _, v := range in.Volunteers {
		cs := make([]int, len(v.Values))
		key := make([]byte, 0, 2*len(v.Values))
		for f, val := range v.Values {
			c := index[f][val]
			cs[f] = c
			p.cells[c].have++
			key = binary.BigEndian.AppendUint16(key, uint16(c))
		}
		t, ok := byKey[string(key)]
		if !ok {
			t = len(groups)
			byKey[string(key)] = t
			keys = append(keys, string(key))
			groups = append(groups, nil)
			cellsOf = append(cellsOf, cs)
		}
		groups[t] = append(groups[t], v.Member)
	}
	order := make([]int, len(groups))
	for i := range order {
		order[i] = i
	}
	// Big-endian cell numbers compare as the value tuples do.
	slices.SortFunc(order, func(a, b int) int { return bytesCompare(keys[a], keys[b]) })
	for _, t := range order {
		p.types = append(p.types, ptype{members: groups[t], cells: cellsOf[t]})
	}
	return p, nil
}

func bytesCompare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// cellName names a cell as "feature=value".
func (p *problem) cellName(c int) string {
	f := p.in.Features[p.cells[c].feature]
	return f.Name + "=" + f.Values[p.cells[c].value].Value
}
