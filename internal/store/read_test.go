package store

// The projection's tables read back whole, for the tests that check them
// against the core's state. Production readers use query.go.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/folkmoot/folkmoot/internal/merkle"
	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// Meta describes the community a projection belongs to.
type Meta struct {
	ChainID     string
	Community   string    // the constitution's name
	GenesisTime time.Time // UTC
	AppState    []byte    // the genesis app_state, byte for byte
}

// Member is a member, past or present.
type Member struct {
	Number         uint32
	Key            tx.PublicKey // the current key, or the last one of a member who left
	Name           string
	Admitted       time.Time // block time of admission, UTC
	AdmittedHeight int64     // 0 for founders
	VouchedBy      []uint32  // member numbers in the order they vouched; empty for founders
	Left           bool
	LeftHeight     int64 // 0 while a member
}

// KeyRecord is one key a member held.
type KeyRecord struct {
	Key           tx.PublicKey
	Member        uint32
	AddedHeight   int64  // 0 for founders
	RetiredHeight int64  // 0 while current
	Retired       string // "", "rotated" or "left"
}

// Vouch is one member's vouch for a key. Member is zero while the key
// waits for more vouches, and the new member's number once admitted.
type Vouch struct {
	Key     tx.PublicKey
	Name    string // the name the key would join under
	Voucher uint32
	Height  int64
	Index   int // position of the vouch in its block
	Member  uint32
}

// Result is a decided proposal's outcome.
type Result struct {
	Turnout       uint64
	QuorumReached bool
	Passed        bool
	Height        int64 // the block that decided it
}

// Proposal is a proposal with its running tally. Times are block times in
// UTC.
type Proposal struct {
	ID            uint64
	Author        uint32
	AuthorName    string
	Title         string
	Body          string // Markdown
	Category      string
	Created       time.Time
	CreatedHeight int64
	Opens         time.Time
	Closes        time.Time
	Status        string // "scheduled", "open", "decided" or "withdrawn"
	Quorum        string // the rule in force, as count.Ratio writes it: "1/3"
	Threshold     string // as Quorum: "1/2" is more than half, ">=2/3" at least two thirds
	Eligible      uint64 // members entitled to vote, fixed when voting opened
	Yes, No       uint64
	Abstain       uint64
	Endorsements  uint64
	Comments      uint64
	OpenedHeight  int64   // 0 until voting opened
	WithdrawnAt   int64   // height of the withdrawal; 0 if not withdrawn
	Result        *Result // set once decided
}

// Ballot is the ballot counted for a member on a proposal: their latest.
type Ballot struct {
	Proposal    uint64
	Member      uint32
	MemberName  string
	Choice      tx.Choice
	Height      int64 // the block of the counted ballot
	Index       int   // its position in that block
	Cast        int   // ballots the member cast on the proposal, the counted one included
	FirstHeight int64 // the block of their first ballot
}

// Tx is a transaction included in a block.
type Tx struct {
	ID     tx.ID
	Height int64
	Index  int    // position in the block
	Raw    []byte // the signed bytes
	// Author, Kind and Nonce are zero when the bytes did not decode.
	Author tx.PublicKey
	Kind   tx.Kind
	Nonce  uint64
	Code   reject.Code // reject.OK when accepted
	Log    string      // the rejection in words
	Leaf   uint64      // index of the accumulator leaf recording it
}

// Block is a committed block with its raw transactions, as the history
// export needs it.
type Block struct {
	Height    int64
	Time      time.Time
	AppHash   merkle.Hash
	Txs       [][]byte
	LeafCount uint64 // accumulator leaves after the block
}

// Leaf is one leaf of the accumulator.
type Leaf struct {
	Index  uint64
	Data   []byte // the fact, CBOR (see core.DecodeFact)
	Height int64  // the block that appended it; 0 for genesis leaves
}

// Meta returns the community's genesis record.
func (s *Store) Meta() (Meta, error) {
	var m Meta
	var at int64
	err := s.r.QueryRow(`SELECT chain_id, community, genesis_time, app_state FROM meta`).Scan(&m.ChainID, &m.Community, &at, &m.AppState)
	if errors.Is(err, sql.ErrNoRows) {
		return m, fmt.Errorf("read genesis record: %w", ErrNotInitialised)
	}
	if err != nil {
		return m, fmt.Errorf("read genesis record: %w", err)
	}
	m.GenesisTime = utc(at)
	return m, nil
}

const memberCols = `number, key, name, admitted_time, admitted_height, vouched_by, left_height`

func scanMember(sc scanner) (Member, error) {
	var m Member
	var key, vb string
	var at int64
	var left sql.NullInt64
	if err := sc.Scan(&m.Number, &key, &m.Name, &at, &m.AdmittedHeight, &vb, &left); err != nil {
		return m, err
	}
	var err error
	if m.Key, err = hexKey(key); err != nil {
		return m, err
	}
	if err := json.Unmarshal([]byte(vb), &m.VouchedBy); err != nil {
		return m, fmt.Errorf("member %d vouchers: %w", m.Number, err)
	}
	m.Admitted = utc(at)
	m.Left, m.LeftHeight = left.Valid, left.Int64
	return m, nil
}

// Members lists every member ever admitted, by number; only current
// members when current is true.
func (s *Store) Members(current bool) ([]Member, error) {
	q := `SELECT ` + memberCols + ` FROM members`
	if current {
		q += ` WHERE left_height IS NULL`
	}
	out, err := collect(scanMember, wrap(s.r.Query(q+` ORDER BY number`)))
	if err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	return out, nil
}

// Member finds a member by number ("7") or by key (64 hex digits: the
// member's current key or any key they held before).
func (s *Store) Member(numberOrKey string) (Member, error) {
	var row *sql.Row
	if n, err := strconv.ParseUint(numberOrKey, 10, 32); err == nil && len(numberOrKey) < 64 {
		row = s.r.QueryRow(`SELECT `+memberCols+` FROM members WHERE number = ?`, n)
	} else {
		k, err := tx.ParsePublicKey(numberOrKey)
		if err != nil {
			return Member{}, fmt.Errorf("find member %q: give a member number or a 64-hex-digit key", numberOrKey)
		}
		row = s.r.QueryRow(`SELECT `+memberCols+` FROM members WHERE number = (SELECT member FROM member_keys WHERE key = ?)`, k.String())
	}
	m, err := scanMember(row)
	if errors.Is(err, sql.ErrNoRows) {
		return m, fmt.Errorf("find member %s: %w", numberOrKey, ErrNotFound)
	}
	if err != nil {
		return m, fmt.Errorf("find member %s: %w", numberOrKey, err)
	}
	return m, nil
}

// Keys returns the keys a member held, oldest first. (Two keys both added
// and retired within one block are ordered by key.)
func (s *Store) Keys(member uint32) ([]KeyRecord, error) {
	out, err := collect(func(sc scanner) (KeyRecord, error) {
		var k KeyRecord
		var key string
		var h sql.NullInt64
		var why sql.NullString
		if err := sc.Scan(&key, &k.Member, &k.AddedHeight, &h, &why); err != nil {
			return k, err
		}
		k.RetiredHeight, k.Retired = h.Int64, why.String
		var err error
		k.Key, err = hexKey(key)
		return k, err
	}, wrap(s.r.Query(`SELECT key, member, added_height, retired_height, retired_why FROM member_keys
		WHERE member = ? ORDER BY added_height, retired_height IS NULL, retired_height, key`, member)))
	if err != nil {
		return nil, fmt.Errorf("list keys of member %d: %w", member, err)
	}
	return out, nil
}

// PendingVouches lists the vouches for keys not yet admitted, by key and
// then in the order they were made.
func (s *Store) PendingVouches() ([]Vouch, error) {
	out, err := collect(scanVouch, wrap(s.r.Query(`SELECT key, name, voucher, height, idx, member FROM vouches
		WHERE member IS NULL ORDER BY key, height, idx`)))
	if err != nil {
		return nil, fmt.Errorf("list pending vouches: %w", err)
	}
	return out, nil
}

func scanVouch(sc scanner) (Vouch, error) {
	var v Vouch
	var key string
	var m sql.NullInt64
	if err := sc.Scan(&key, &v.Name, &v.Voucher, &v.Height, &v.Index, &m); err != nil {
		return v, err
	}
	v.Member = uint32(m.Int64)
	var err error
	v.Key, err = hexKey(key)
	return v, err
}

const proposalCols = `p.id, p.author, coalesce(m.name, ''), p.title, p.body, p.category, p.created, p.created_height,
	p.opens, p.closes, p.status, p.quorum, p.threshold, p.eligible, p.yes, p.no, p.abstain, p.endorsements,
	p.comments, p.opened_height, p.withdrawn_height, p.decided_height, p.turnout, p.quorum_reached, p.passed`

func scanProposal(sc scanner) (Proposal, error) {
	var p Proposal
	var created, opens, closes int64
	var opened, withdrawn, decided, turnout sql.NullInt64
	var quorum, passed sql.NullBool
	if err := sc.Scan(&p.ID, &p.Author, &p.AuthorName, &p.Title, &p.Body, &p.Category, &created, &p.CreatedHeight,
		&opens, &closes, &p.Status, &p.Quorum, &p.Threshold, &p.Eligible, &p.Yes, &p.No, &p.Abstain, &p.Endorsements,
		&p.Comments, &opened, &withdrawn, &decided, &turnout, &quorum, &passed); err != nil {
		return p, err
	}
	p.Created, p.Opens, p.Closes = utc(created), utc(opens), utc(closes)
	p.OpenedHeight, p.WithdrawnAt = opened.Int64, withdrawn.Int64
	if decided.Valid {
		p.Result = &Result{Turnout: uint64(turnout.Int64), QuorumReached: quorum.Bool, Passed: passed.Bool, Height: decided.Int64}
	}
	return p, nil
}

// Proposals lists the proposals, newest first; status filters when not
// empty.
func (s *Store) Proposals(status string) ([]Proposal, error) {
	out, err := collect(scanProposal, wrap(s.r.Query(`SELECT `+proposalCols+`
		FROM proposals p LEFT JOIN members m ON m.number = p.author
		WHERE ?1 = '' OR p.status = ?1 ORDER BY p.id DESC`, status)))
	if err != nil {
		return nil, fmt.Errorf("list proposals: %w", err)
	}
	return out, nil
}

// Proposal returns one proposal.
func (s *Store) Proposal(id uint64) (Proposal, error) {
	p, err := scanProposal(s.r.QueryRow(`SELECT `+proposalCols+` FROM proposals p LEFT JOIN members m ON m.number = p.author
		WHERE p.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("find proposal %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return p, fmt.Errorf("find proposal %d: %w", id, err)
	}
	return p, nil
}

// ballotRows returns every column of the ballots counted on a proposal,
// by member number.
func (s *Store) ballotRows(proposal uint64) ([]Ballot, error) {
	out, err := collect(
		func(sc scanner) (Ballot, error) {
			var b Ballot
			err := sc.Scan(&b.Proposal, &b.Member, &b.MemberName, &b.Choice, &b.Height, &b.Index, &b.Cast, &b.FirstHeight)
			return b, err
		}, wrap(s.r.Query(`SELECT b.proposal, b.member, coalesce(m.name, ''), b.choice, b.height, b.idx, b.cast_count, b.first_height
		FROM ballots b LEFT JOIN members m ON m.number = b.member WHERE b.proposal = ?
		ORDER BY b.member`, proposal)))
	if err != nil {
		return nil, fmt.Errorf("list ballots on proposal %d: %w", proposal, err)
	}
	return out, nil
}

const txCols = `id, height, idx, raw, author, kind, nonce, code, log, leaf`

func scanTx(sc scanner) (Tx, error) {
	var t Tx
	var id []byte
	var author sql.NullString
	var kind, nonce sql.NullInt64
	if err := sc.Scan(&id, &t.Height, &t.Index, &t.Raw, &author, &kind, &nonce, &t.Code, &t.Log, &t.Leaf); err != nil {
		return t, err
	}
	if len(id) != len(t.ID) {
		return t, fmt.Errorf("stored transaction id of %d bytes", len(id))
	}
	copy(t.ID[:], id)
	if author.Valid {
		var err error
		if t.Author, err = hexKey(author.String); err != nil {
			return t, err
		}
	}
	t.Kind, t.Nonce = tx.Kind(kind.Int64), uint64(nonce.Int64)
	return t, nil
}

// txRow finds a transaction by id, every column, as Tx chooses it.
func (s *Store) txRow(id tx.ID) (Tx, error) {
	t, err := scanTx(s.r.QueryRow(`SELECT `+txCols+` FROM txs WHERE id = ? ORDER BY code != 0, height, idx LIMIT 1`, id[:]))
	if err != nil {
		return t, fmt.Errorf("find transaction %s: %w", id, err)
	}
	return t, nil
}

// Txs returns the transactions of blocks from..to (inclusive), in order.
func (s *Store) Txs(from, to int64) ([]Tx, error) {
	out, err := collect(scanTx, wrap(s.r.Query(`SELECT `+txCols+` FROM txs WHERE height BETWEEN ? AND ? ORDER BY height, idx`, from, to)))
	if err != nil {
		return nil, fmt.Errorf("list transactions of blocks %d to %d: %w", from, to, err)
	}
	return out, nil
}

// Blocks returns blocks from..to (inclusive) with their raw transactions,
// in height order; heights not yet written are simply absent. Height 0 is
// the genesis, with no transactions.
func (s *Store) Blocks(from, to int64) ([]Block, error) {
	// One read transaction, so blocks and their transactions come from the
	// same snapshot even while a block is being written.
	ctx := context.Background()
	t, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("list blocks %d to %d: %w", from, to, err)
	}
	defer t.Rollback()
	blocks, err := collect(func(sc scanner) (Block, error) {
		var b Block
		var at int64
		var h []byte
		if err := sc.Scan(&b.Height, &at, &h, &b.LeafCount); err != nil {
			return b, err
		}
		b.Time = utc(at)
		var err error
		b.AppHash, err = hash(h)
		return b, err
	}, wrap(t.QueryContext(ctx, `SELECT height, time, app_hash, leaf_count FROM blocks
		WHERE height BETWEEN ? AND ? ORDER BY height`, from, to)))
	if err != nil {
		return nil, fmt.Errorf("list blocks %d to %d: %w", from, to, err)
	}
	byHeight := make(map[int64]*Block, len(blocks))
	for i := range blocks {
		byHeight[blocks[i].Height] = &blocks[i]
	}
	rows, err := t.QueryContext(ctx, `SELECT height, raw FROM txs WHERE height BETWEEN ? AND ? ORDER BY height, idx`, from, to)
	if err != nil {
		return nil, fmt.Errorf("list transactions of blocks %d to %d: %w", from, to, err)
	}
	defer rows.Close()
	for rows.Next() {
		var h int64
		var raw []byte
		if err := rows.Scan(&h, &raw); err != nil {
			return nil, fmt.Errorf("list transactions of blocks %d to %d: %w", from, to, err)
		}
		if b := byHeight[h]; b != nil {
			b.Txs = append(b.Txs, raw)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list transactions of blocks %d to %d: %w", from, to, err)
	}
	return blocks, nil
}

// Leaf returns one accumulator leaf.
func (s *Store) Leaf(index uint64) (Leaf, error) {
	var l Leaf
	err := s.r.QueryRow(`SELECT idx, data, height FROM leaves WHERE idx = ?`, int64(index)).Scan(&l.Index, &l.Data, &l.Height)
	if errors.Is(err, sql.ErrNoRows) {
		return l, fmt.Errorf("find leaf %d: %w", index, ErrNotFound)
	}
	if err != nil {
		return l, fmt.Errorf("find leaf %d: %w", index, err)
	}
	return l, nil
}

// Leaves returns the leaves with index in [from, to), in order.
func (s *Store) Leaves(from, to uint64) ([]Leaf, error) {
	out, err := collect(func(sc scanner) (Leaf, error) {
		var l Leaf
		err := sc.Scan(&l.Index, &l.Data, &l.Height)
		return l, err
	}, wrap(s.r.Query(`SELECT idx, data, height FROM leaves WHERE idx >= ? AND idx < ? ORDER BY idx`,
		int64(from), int64(to))))
	if err != nil {
		return nil, fmt.Errorf("list leaves %d to %d: %w", from, to, err)
	}
	return out, nil
}

// LeafCount returns the number of accumulator leaves after block height:
// the tree size an inclusion proof against that block's app hash uses.
func (s *Store) LeafCount(height int64) (uint64, error) {
	var n uint64
	err := s.r.QueryRow(`SELECT leaf_count FROM blocks WHERE height = ?`, height).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("leaf count at block %d: %w", height, ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("leaf count at block %d: %w", height, err)
	}
	return n, nil
}

// Summary is what the projection holds after its last block.
type Summary struct {
	Height        int64
	Time          time.Time // block time of the last block (genesis time at height 0)
	AppHash       merkle.Hash
	Members       uint64 // current members
	Proposals     uint64
	OpenProposals uint64
	Txs           uint64 // transactions included, accepted or not
	Leaves        uint64
}

// Summary counts members, proposals, transactions and leaves as of the
// last block written, all from one snapshot.
func (s *Store) Summary() (Summary, error) {
	var sum Summary
	var at int64
	var h []byte
	err := s.r.QueryRow(`SELECT b.height, b.time, b.app_hash, b.leaf_count,
			(SELECT count(*) FROM members WHERE left_height IS NULL),
			(SELECT count(*) FROM proposals),
			(SELECT count(*) FROM proposals WHERE status = 'open'),
			(SELECT count(*) FROM txs)
		FROM blocks b ORDER BY b.height DESC LIMIT 1`).Scan(&sum.Height, &at, &h, &sum.Leaves, &sum.Members,
		&sum.Proposals, &sum.OpenProposals, &sum.Txs)
	if errors.Is(err, sql.ErrNoRows) {
		return sum, fmt.Errorf("summarise projection: %w", ErrNotInitialised)
	}
	if err != nil {
		return sum, fmt.Errorf("summarise projection: %w", err)
	}
	sum.Time = utc(at)
	if sum.AppHash, err = hash(h); err != nil {
		return sum, fmt.Errorf("summarise projection: %w", err)
	}
	return sum, nil
}

// Migration is a schema migration that has been applied.
type Migration struct {
	Version int       // from the file name: 0001_init.sql is version 1
	Name    string    // the file name
	Applied time.Time // wall-clock time it ran (for operators only)
}

// Migrations lists the migrations applied to this database, in order.
func (s *Store) Migrations() ([]Migration, error) {
	rows, err := s.r.Query(`SELECT version, name, applied FROM migrations ORDER BY version`)
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	defer rows.Close()
	var out []Migration
	for rows.Next() {
		var m Migration
		var at int64
		if err := rows.Scan(&m.Version, &m.Name, &at); err != nil {
			return nil, fmt.Errorf("list migrations: %w", err)
		}
		m.Applied = time.Unix(0, at).UTC()
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	return out, nil
}
