package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/folkmoot/folkmoot/internal/core"
)

// Restore starts the projection of a node that joined by state sync at
// height, from the core's state there: it records the block (its time, app
// hash and leaf count), every member with their current key, and every
// proposal with its text and figures, so that WriteBlock can take the
// blocks after it. The projection holds only its genesis before; restoring
// the same height again does nothing.
//
// What only the blocks before height could give is not there: their
// transactions, leaves and events, earlier keys, vouches, comments,
// endorsements, superseded ballots and text amendments. Proofs and
// transaction lookups are answered by the application, which holds every
// leaf; a reply to an earlier comment is stored without its parent.
func (s *Store) Restore(height int64, at time.Time, st *core.State) error {
	if err := s.restore(context.Background(), height, at, st); err != nil {
		return fmt.Errorf("restore projection at %d: %w", height, err)
	}
	return nil
}

func (s *Store) restore(ctx context.Context, height int64, at time.Time, st *core.State) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer t.Rollback()
	last, hash, err := lastBlock(ctx, t)
	if err != nil {
		return fmt.Errorf("read height: %w", err)
	}
	root := st.Root()
	switch {
	case last == height && bytes.Equal(hash, root[:]):
		return nil
	case last != 0:
		return fmt.Errorf("the projection already holds blocks up to %d", last)
	case st.Height() != height:
		return fmt.Errorf("the state is at height %d", st.Height())
	}
	if _, err := t.ExecContext(ctx, `INSERT INTO blocks (height, time, app_hash, tx_count, leaf_count) VALUES (?, ?, ?, 0, ?)`,
		height, at.UnixNano(), root[:], st.Leaves()); err != nil {
		return fmt.Errorf("write block: %w", err)
	}
	for _, m := range st.Members() {
		vb, err := json.Marshal(nonNil(m.VouchedBy))
		if err != nil {
			return fmt.Errorf("encode vouchers: %w", err)
		}
		var left any
		if m.Left {
			left = height
		}
		key := m.Key.String()
		// Founders are there since Init, perhaps under a key since rotated.
		if _, err := t.ExecContext(ctx, `INSERT INTO members (number, key, name, admitted_time, admitted_height, admit_seq, vouched_by, left_height)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (number) DO UPDATE SET key = excluded.key, left_height = excluded.left_height`,
			m.Number, key, m.Name, m.Admitted, height, m.AdmitSeq, string(vb), left); err != nil {
			return fmt.Errorf("write member %d: %w", m.Number, err)
		}
		if _, err := t.ExecContext(ctx, `INSERT OR IGNORE INTO member_keys (key, member, added_height) VALUES (?, ?, ?)`,
			key, m.Number, height); err != nil {
			return fmt.Errorf("write key of member %d: %w", m.Number, err)
		}
	}
	for _, p := range st.Proposals() {
		if _, err := t.ExecContext(ctx, `INSERT INTO proposals (id, author, title, body, category, created, created_height, opens, closes,
			status, quorum, threshold, eligible, yes, no, abstain, endorsements, comments)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.ID, p.Author, p.Title, p.Body, p.Category, p.Created, height, p.Opens, p.Closes, p.Status.String(),
			p.Quorum.String(), p.Threshold.String(), p.Eligible, p.Yes, p.No, p.Abstain, p.Endorsements(), p.Comments); err != nil {
			return fmt.Errorf("write proposal %d: %w", p.ID, err)
		}
		if r := p.Result; r != nil {
			if _, err := t.ExecContext(ctx, `UPDATE proposals SET decided_height = ?, turnout = ?, quorum_reached = ?, passed = ? WHERE id = ?`,
				height, int64(r.Turnout), r.QuorumReached, r.Passed, p.ID); err != nil {
				return fmt.Errorf("write result of proposal %d: %w", p.ID, err)
			}
		}
	}
	if err := t.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
