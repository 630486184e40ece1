package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/merkle"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// BlockRecord is one committed block as the projection needs it.
type BlockRecord struct {
	Height int64
	Time   time.Time
	Txs    [][]byte         // the raw transactions, in block order
	Result core.BlockResult // what applying them did; Result.Root is the app hash
	// State is the core's state right after the block. WriteBlock reads it
	// (proposal texts and tallies) and never changes
	// it; it need only stay valid during the call.
	State *core.State
}

// Init records the community's genesis: its chain id and app_state, the
// founders as members, the genesis leaves of the accumulator, and height 0
// with the genesis app hash. Calling it again with the same genesis does
// nothing; with another genesis it fails, leaving the database unchanged.
func (s *Store) Init(chainID string, genesisTime time.Time, appState []byte) error {
	st, err := core.New(chainID, genesisTime, appState)
	if err != nil {
		return fmt.Errorf("init projection: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ctx := context.Background()
	t, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("init projection: begin: %w", err)
	}
	defer t.Rollback()
	var (
		haveChain string
		haveTime  int64
		haveState []byte
	)
	err = t.QueryRowContext(ctx, `SELECT chain_id, genesis_time, app_state FROM meta`).Scan(&haveChain, &haveTime, &haveState)
	switch {
	case err == nil:
		if haveChain != chainID || haveTime != genesisTime.UnixNano() || !bytes.Equal(haveState, appState) {
			return fmt.Errorf("init projection: the database holds community %q from %s, not this genesis of %q",
				haveChain, time.Unix(0, haveTime).UTC().Format(time.RFC3339), chainID)
		}
		return nil
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("init projection: read meta: %w", err)
	}
	if _, err := t.ExecContext(ctx, `INSERT INTO meta (id, chain_id, genesis_time, app_state, community) VALUES (1, ?, ?, ?, ?)`,
		chainID, genesisTime.UnixNano(), appState, st.Constitution().Name); err != nil {
		return fmt.Errorf("init projection: write meta: %w", err)
	}
	root := st.Root()
	leaves := st.GenesisLeaves()
	if _, err := t.ExecContext(ctx, `INSERT INTO blocks (height, time, app_hash, tx_count, leaf_count) VALUES (0, ?, ?, 0, ?)`,
		genesisTime.UnixNano(), root[:], len(leaves)); err != nil {
		return fmt.Errorf("init projection: write genesis block: %w", err)
	}
	for i, l := range leaves {
		if _, err := t.ExecContext(ctx, `INSERT INTO leaves (idx, data, height) VALUES (?, ?, 0)`, i, l); err != nil {
			return fmt.Errorf("init projection: write genesis leaf %d: %w", i, err)
		}
	}
	for _, m := range st.Members() {
		if err := insertMember(ctx, t, m, 0); err != nil {
			return fmt.Errorf("init projection: founder %d: %w", m.Number, err)
		}
	}
	if err := t.Commit(); err != nil {
		return fmt.Errorf("init projection: commit: %w", err)
	}
	return nil
}

func insertMember(ctx context.Context, t *sql.Tx, m *core.Member, height int64) error {
	vb, err := json.Marshal(nonNil(m.VouchedBy))
	if err != nil {
		return fmt.Errorf("encode vouchers: %w", err)
	}
	key := m.Key.String()
	if _, err := t.ExecContext(ctx, `INSERT INTO members (number, key, name, admitted_time, admitted_height, admit_seq, vouched_by)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, m.Number, key, m.Name, m.Admitted, height, m.AdmitSeq, string(vb)); err != nil {
		return fmt.Errorf("write member: %w", err)
	}
	if _, err := t.ExecContext(ctx, `INSERT INTO member_keys (key, member, added_height) VALUES (?, ?, ?)`, key, m.Number, height); err != nil {
		return fmt.Errorf("write member key: %w", err)
	}
	if _, err := t.ExecContext(ctx, `UPDATE vouches SET member = ? WHERE key = ?`, m.Number, key); err != nil {
		return fmt.Errorf("complete vouches: %w", err)
	}
	return nil
}

func nonNil(xs []uint32) []uint32 {
	if xs == nil {
		return []uint32{}
	}
	return xs
}

// Height returns the last block written and its app hash; height 0 is the
// genesis. It returns ErrNotInitialised before Init.
func (s *Store) Height() (int64, []byte, error) {
	h, hash, err := lastBlock(context.Background(), s.r)
	if err != nil {
		return 0, nil, fmt.Errorf("projection height: %w", err)
	}
	return h, hash, nil
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func lastBlock(ctx context.Context, q queryer) (int64, []byte, error) {
	var h int64
	var hash []byte
	err := q.QueryRowContext(ctx, `SELECT height, app_hash FROM blocks ORDER BY height DESC LIMIT 1`).Scan(&h, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, ErrNotInitialised
	}
	return h, hash, err
}

// WriteBlock writes everything derived from one committed block, with its
// height and app hash, in one SQL transaction: the block is stored whole or
// not at all.
//
// Blocks arrive in height order. A height already stored is a no-op once
// its app hash is found equal to the stored one (a replay after restart);
// an unequal app hash is an error. A height beyond the next one is an error.
func (s *Store) WriteBlock(b BlockRecord) error {
	if err := s.writeBlock(context.Background(), b); err != nil {
		return fmt.Errorf("write block %d to projection: %w", b.Height, err)
	}
	return nil
}

func (s *Store) writeBlock(ctx context.Context, b BlockRecord) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer t.Rollback()
	last, _, err := lastBlock(ctx, t)
	if err != nil {
		return fmt.Errorf("read height: %w", err)
	}
	root := b.Result.Root
	switch {
	case b.Height <= last:
		var have []byte
		if err := t.QueryRowContext(ctx, `SELECT app_hash FROM blocks WHERE height = ?`, b.Height).Scan(&have); err != nil {
			return fmt.Errorf("read stored app hash: %w", err)
		}
		if !bytes.Equal(have, root[:]) {
			return fmt.Errorf("app hash %X differs from the stored %X: this projection belongs to another history", root[:], have)
		}
		return nil
	case b.Height != last+1:
		return fmt.Errorf("the projection holds blocks up to %d; block %d cannot follow", last, b.Height)
	}
	var leafCount uint64
	if err := t.QueryRowContext(ctx, `SELECT leaf_count FROM blocks WHERE height = ?`, last).Scan(&leafCount); err != nil {
		return fmt.Errorf("read leaf count: %w", err)
	}
	if err := check(b, leafCount); err != nil {
		return err
	}
	// Foreign keys are checked at commit, so that rows may be written in
	// batches in any order; a dangling reference still fails the block.
	if _, err := t.ExecContext(ctx, `PRAGMA defer_foreign_keys = ON`); err != nil {
		return fmt.Errorf("defer foreign keys: %w", err)
	}
	w := &blockWriter{ctx: ctx, b: b, st: s.ins.in(ctx, t), leaf: leafCount, tx: -1,
		proposals: map[uint64]bool{}}
	bind := func(spec batchSpec) *batch {
		bt := &batch{spec: spec}
		for _, st := range s.batches[spec.name] {
			bt.stmts = append(bt.stmts, t.StmtContext(ctx, st))
		}
		return bt
	}
	w.leaves, w.txs, w.ballots, w.events = bind(leafBatch), bind(txBatch), bind(ballotBatch), bind(eventBatch)
	if err := w.write(); err != nil {
		return err
	}
	if err := t.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// check refuses a record whose parts do not belong together.
func check(b BlockRecord, leafCount uint64) error {
	if b.State == nil {
		return errors.New("the record has no state")
	}
	if len(b.Result.Txs) != len(b.Txs) {
		return fmt.Errorf("the record has %d transactions but %d results", len(b.Txs), len(b.Result.Txs))
	}
	if b.State.Height() != b.Height {
		return fmt.Errorf("the record's state is at height %d", b.State.Height())
	}
	if b.State.Root() != b.Result.Root {
		return errors.New("the record's state and result disagree on the app hash")
	}
	n := leafCount + uint64(len(b.Result.Begin.Leaves)+len(b.Result.End.Leaves))
	for i, r := range b.Result.Txs {
		if len(r.Leaves) == 0 {
			return fmt.Errorf("transaction %d has no accumulator leaf", i)
		}
		n += uint64(len(r.Leaves))
	}
	if n != b.State.Leaves() {
		return fmt.Errorf("the block's leaves end at %d but the state has %d", n, b.State.Leaves())
	}
	return nil
}

// blockWriter writes one block inside its transaction.
type blockWriter struct {
	ctx  context.Context
	b    BlockRecord
	st   *writeStmts
	leaf uint64 // index of the next leaf
	tx   int    // index of the transaction being written; -1 in Begin and End

	proposals map[uint64]bool // touched; refreshed from the state at the end

	// Rows written in multi-row statements at the end of the block.
	leaves, txs, ballots, events *batch
	seq                          int // index of the block's next event
}

func (w *blockWriter) exec(st *sql.Stmt, what string, args ...any) error {
	if _, err := st.ExecContext(w.ctx, args...); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

func (w *blockWriter) write() error {
	b, res := w.b, w.b.Result
	if err := w.exec(w.st.block, "write block", b.Height, b.Time.UnixNano(), res.Root[:], len(b.Txs), b.State.Leaves()); err != nil {
		return err
	}
	if err := w.result(res.Begin); err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	for i, raw := range b.Txs {
		w.tx = i
		if err := w.transaction(raw, res.Txs[i]); err != nil {
			return fmt.Errorf("transaction %d: %w", i, err)
		}
	}
	w.tx = -1
	if err := w.result(res.End); err != nil {
		return fmt.Errorf("end: %w", err)
	}
	return w.refresh()
}

func (w *blockWriter) transaction(raw []byte, r core.Result) error {
	id := tx.ID(sha256.Sum256(raw))
	var author, kind, nonce any
	if t, err := tx.Decode(raw); err == nil {
		author, kind, nonce = t.Author.String(), int64(t.Kind), int64(t.Nonce)
	}
	w.txs.add(w.b.Height, w.tx, id[:], raw, author, kind, nonce, int64(r.Code), r.Log, int64(w.leaf))
	return w.result(r)
}

func (w *blockWriter) result(r core.Result) error {
	for _, l := range r.Leaves {
		w.leaves.add(int64(w.leaf), l, w.b.Height)
		w.leaf++
	}
	for _, e := range r.Events {
		attrs, err := eventAttrs(e)
		if err != nil {
			return fmt.Errorf("event %s: %w", e.Type(), err)
		}
		w.events.add(w.b.Height, w.seq, w.tx, e.Type(), attrs)
		w.seq++
		if err := w.event(e); err != nil {
			return fmt.Errorf("event %s: %w", e.Type(), err)
		}
	}
	return nil
}

// eventAttrs encodes an event's attributes as a JSON array of [key, value]
// pairs, in their order.
func eventAttrs(e core.Event) (string, error) {
	as := e.Attrs()
	pairs := make([][2]string, len(as))
	for i, a := range as {
		pairs[i] = [2]string{a.Key, a.Value}
	}
	b, err := json.Marshal(pairs)
	if err != nil {
		return "", fmt.Errorf("encode attributes: %w", err)
	}
	return string(b), nil
}

// event writes the rows an event has in tables of its own, beside its row
// in the events table.
func (w *blockWriter) event(e core.Event) error {
	h := w.b.Height
	switch e := e.(type) {
	case core.Vouched:
		return w.exec(w.st.vouch, "write vouch", e.Key.String(), e.Voucher, e.Name, h, w.tx)
	case core.Admitted:
		m := e.Member
		vb, err := json.Marshal(nonNil(m.VouchedBy))
		if err != nil {
			return fmt.Errorf("encode vouchers: %w", err)
		}
		key := m.Key.String()
		if err := w.exec(w.st.member, "write member", m.Number, key, m.Name, m.Admitted, h, m.AdmitSeq, string(vb)); err != nil {
			return err
		}
		if err := w.exec(w.st.memberKey, "write member key", key, m.Number, h); err != nil {
			return err
		}
		return w.exec(w.st.vouchDone, "complete vouches", m.Number, key)
	case core.Left:
		if err := w.exec(w.st.left, "record departure", h, e.Member); err != nil {
			return err
		}
		return w.exec(w.st.retireKey, "retire key", h, "left", e.Key.String())
	case core.Rotated:
		if err := w.exec(w.st.retireKey, "retire key", h, "rotated", e.Old.String()); err != nil {
			return err
		}
		if err := w.exec(w.st.memberKey, "write member key", e.New.String(), e.Member, h); err != nil {
			return err
		}
		return w.exec(w.st.memberRekey, "change member key", e.New.String(), e.Member)
	case core.Proposed:
		p, ok := w.b.State.Proposal(e.Proposal)
		if !ok {
			return fmt.Errorf("proposal %d is not in the state", e.Proposal)
		}
		w.proposals[p.ID] = true
		return w.exec(w.st.proposal, "write proposal", p.ID, p.Author, p.Title, p.Body, p.Category,
			p.Created, h, p.Opens, p.Closes, p.Quorum.String(), p.Threshold.String())
	case core.TextAmended:
		w.proposals[e.Proposal] = true
		if err := w.exec(w.st.textAmended, "record text amendment", e.Proposal, e.Revision, h, w.tx, w.b.Time.UnixNano(), e.Author,
			e.OldTitle, e.OldBody, e.Title, e.Body); err != nil {
			return err
		}
		return w.exec(w.st.retitle, "write amended text", e.Title, e.Body, e.Proposal)
	case core.WithdrawnEvent:
		w.proposals[e.Proposal] = true
		return w.exec(w.st.withdrawn, "record withdrawal", h, e.Proposal)
	case core.Opened:
		w.proposals[e.Proposal] = true
		return w.exec(w.st.opened, "record opening", h, e.Proposal)
	case core.Commented:
		w.proposals[e.Proposal] = true
		var reply any
		if e.ReplyTo != 0 {
			reply = int64(e.ReplyTo)
		}
		return w.exec(w.st.comment, "write comment", e.Comment, e.Proposal, reply, e.Author, e.Text, h, w.b.Time.UnixNano())
	case core.Endorsed:
		w.proposals[e.Proposal] = true
		return w.exec(w.st.endorse, "write endorsement", e.Proposal, e.Member, h)
	case core.BallotCast:
		w.proposals[e.Proposal] = true
		w.ballots.add(e.Proposal, e.Member, int64(e.Choice), h, w.tx)
		return nil
	case core.DecidedEvent:
		w.proposals[e.Proposal] = true
		r := e.Result
		return w.exec(w.st.decided, "record decision", h, int64(r.Turnout), r.QuorumReached, r.Passed, e.Proposal)
	case core.InitiativeQualified:
		w.proposals[e.Proposal] = true
		return w.exec(w.st.votingTimes, "record an initiative's voting times", e.Opens, e.Closes, e.Proposal)
	case core.InitiativeLapsed:
		w.proposals[e.Proposal] = true
		return nil
	case core.SecretKeyMade:
		w.proposals[e.Proposal] = true
	case core.SecretCancelled:
		w.proposals[e.Proposal] = true
	case core.SecretBallotCast:
		w.proposals[e.Proposal] = true
	case core.SecretClosed:
		w.proposals[e.Proposal] = true
	case core.SecretTallied:
		w.proposals[e.Proposal] = true
	}
	// Every other event (laws and rule versions, delegations, offices,
	// elections, petitions, notices and payments) is in the events table
	// only; pages read those from the core (State.Laws, State.Offices, ...).
	return nil
}

// refresh copies from the state the running figures of every proposal the
// block touched, so the projection shows exactly what the core holds, and
// writes the batched rows.
func (w *blockWriter) refresh() error {
	for _, id := range sortedKeys(w.proposals) {
		p, ok := w.b.State.Proposal(id)
		if !ok {
			return fmt.Errorf("proposal %d is not in the state", id)
		}
		if err := w.exec(w.st.proposalFigures, fmt.Sprintf("update proposal %d", id), p.Status.String(), p.Eligible,
			p.Yes, p.No, p.Abstain, p.Endorsements(), p.Comments, id); err != nil {
			return err
		}
	}
	for _, b := range []*batch{w.leaves, w.txs, w.ballots, w.events} {
		if err := b.flush(w.ctx); err != nil {
			return err
		}
	}
	return nil
}

func sortedKeys[K uint32 | uint64](m map[K]bool) []K {
	ks := make([]K, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// writeStmts are the statements WriteBlock uses, prepared once.
type writeStmts struct {
	block, memberOfKey, vouch, vouchDone       *sql.Stmt
	member, memberKey, left, retireKey         *sql.Stmt
	memberRekey, proposal, withdrawn, opened   *sql.Stmt
	decided, comment, endorse, proposalFigures *sql.Stmt
	votingTimes, textAmended, retitle          *sql.Stmt
}

func (ws *writeStmts) all() []**sql.Stmt {
	return []**sql.Stmt{&ws.block, &ws.vouch, &ws.vouchDone, &ws.member, &ws.memberKey,
		&ws.left, &ws.retireKey, &ws.memberRekey, &ws.proposal, &ws.withdrawn, &ws.opened, &ws.decided,
		&ws.comment, &ws.endorse, &ws.proposalFigures, &ws.votingTimes, &ws.textAmended, &ws.retitle}
}

func prepareWrites(db *sql.DB) (*writeStmts, error) {
	ws := new(writeStmts)
	sqls := []string{
		`INSERT INTO blocks (height, time, app_hash, tx_count, leaf_count) VALUES (?, ?, ?, ?, ?)`,
		`INSERT INTO vouches (key, voucher, name, height, idx) VALUES (?, ?, ?, ?, ?)`,
		`UPDATE vouches SET member = ? WHERE key = ?`,
		`INSERT INTO members (number, key, name, admitted_time, admitted_height, admit_seq, vouched_by)
			VALUES (?, ?, ?, ?, ?, ?, ?)`,
		`INSERT INTO member_keys (key, member, added_height) VALUES (?, ?, ?)`,
		`UPDATE members SET left_height = ? WHERE number = ?`,
		`UPDATE member_keys SET retired_height = ?, retired_why = ? WHERE key = ?`,
		`UPDATE members SET key = ? WHERE number = ?`,
		`INSERT INTO proposals (id, author, title, body, category, created, created_height, opens, closes,
			status, quorum, threshold, eligible, yes, no, abstain, endorsements, comments)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'scheduled', ?, ?, 0, 0, 0, 0, 0, 0)`,
		`UPDATE proposals SET withdrawn_height = ? WHERE id = ?`,
		`UPDATE proposals SET opened_height = ? WHERE id = ?`,
		`UPDATE proposals SET decided_height = ?, turnout = ?, quorum_reached = ?, passed = ? WHERE id = ?`,
		// A projection restored by state sync lacks earlier comments: a reply
		// to one is stored without its parent.
		`INSERT INTO comments (id, proposal, reply_to, author, text, height, time)
			VALUES (?, ?, (SELECT id FROM comments WHERE id = ?), ?, ?, ?, ?)`,
		`INSERT INTO endorsements (proposal, member, height) VALUES (?, ?, ?)`,
		`UPDATE proposals SET status = ?, eligible = ?, yes = ?, no = ?, abstain = ?, endorsements = ?, comments = ?
			WHERE id = ?`,
		`UPDATE proposals SET opens = ?, closes = ? WHERE id = ?`,
		`INSERT INTO text_amendments (proposal, revision, height, idx, time, author, old_title, old_body, title, body)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		`UPDATE proposals SET title = ?, body = ? WHERE id = ?`,
	}
	ptrs := ws.all()
	for i, q := range sqls {
		st, err := db.Prepare(q)
		if err != nil {
			ws.close()
			return nil, fmt.Errorf("prepare %q: %w", q, err)
		}
		*ptrs[i] = st
	}
	return ws, nil
}

// in returns the statements bound to transaction t.
func (ws *writeStmts) in(ctx context.Context, t *sql.Tx) *writeStmts {
	out := new(writeStmts)
	src, dst := ws.all(), out.all()
	for i := range src {
		*dst[i] = t.StmtContext(ctx, *src[i])
	}
	return out
}

func (ws *writeStmts) close() error {
	var errs []error
	for _, p := range ws.all() {
		if *p != nil {
			errs = append(errs, (*p).Close())
		}
	}
	return errors.Join(errs...)
}

// hexKey decodes a stored hex key.
func hexKey(s string) (tx.PublicKey, error) { return tx.ParsePublicKey(s) }

// hash converts a stored app hash.
func hash(b []byte) (merkle.Hash, error) {
	var h merkle.Hash
	if len(b) != len(h) {
		return h, fmt.Errorf("stored app hash of %d bytes", len(b))
	}
	copy(h[:], b)
	return h, nil
}
