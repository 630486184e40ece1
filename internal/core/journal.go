package core

import (
	"slices"

	"github.com/folkmoot/folkmoot/internal/merkle"
)

// journal records how to undo each change made since a checkpoint, so that
// a block can be tried (PrepareProposal, ProcessProposal) and then undone
// without copying the state.
type journal struct {
	undo   []func()
	acc    merkle.Accumulator
	now    int64
	height int64
}

// Checkpoint starts recording changes so that Revert can undo them. While a
// checkpoint is open, BeginBlock, Apply and EndBlock work as usual. It panics
// if a checkpoint is already open: checkpoints do not nest.
func (s *State) Checkpoint() {
	if s.journal != nil {
		panic("core: Checkpoint while a checkpoint is open")
	}
	s.journal = &journal{acc: s.acc.Clone(), now: s.now, height: s.height}
}

// Revert undoes every change since Checkpoint and closes the checkpoint.
func (s *State) Revert() {
	j := s.journal
	if j == nil {
		panic("core: Revert without a checkpoint")
	}
	for i := len(j.undo) - 1; i >= 0; i-- {
		j.undo[i]()
	}
	s.acc = j.acc
	s.now, s.height = j.now, j.height
	s.journal = nil
}

// Commit keeps every change since Checkpoint and closes the checkpoint.
func (s *State) Commit() { s.journal = nil }

// record registers an undo step when a checkpoint is open.
func (s *State) record(undo func()) {
	if s.journal != nil {
		s.journal.undo = append(s.journal.undo, undo)
	}
}

// deadline is a proposal waiting for a time.
type deadline struct {
	At int64
	ID uint64
}

func (a deadline) less(b deadline) bool {
	return a.At < b.At || (a.At == b.At && a.ID < b.ID)
}

// deadlines is kept sorted by (time, id): the next one is always first, so a
// block in which nothing is due costs one comparison.
type deadlines []deadline

func (d *deadlines) insert(x deadline) int {
	i, _ := slices.BinarySearchFunc(*d, x, func(a, b deadline) int {
		switch {
		case a.less(b):
			return -1
		case b.less(a):
			return 1
		}
		return 0
	})
	*d = slices.Insert(*d, i, x)
	return i
}

func (d *deadlines) remove(x deadline) {
	i := slices.Index(*d, x)
	if i >= 0 {
		*d = slices.Delete(*d, i, i+1)
	}
}

// due returns whether the first deadline is at or before t.
func (d deadlines) due(t int64) bool { return len(d) > 0 && d[0].At <= t }

// pop removes and returns the first deadline.
func (d *deadlines) pop() deadline {
	x := (*d)[0]
	*d = slices.Delete(*d, 0, 1)
	return x
}

// eachDue takes from q, in order, every deadline that has come by the
// block time, journaling each so that a revert puts it back, and hands it
// to fn.
func (s *State) eachDue(q *deadlines, fn func(d deadline)) {
	for q.due(s.now) {
		d := q.pop()
		s.record(func() { q.insert(d) })
		fn(d)
	}
}
