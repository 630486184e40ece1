package bench

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/folkmoot/folkmoot/internal/core/coretest"
	"github.com/folkmoot/folkmoot/internal/query"
	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// BallotLoad is a steady load of ballots on a Cluster: each worker votes
// for its members in turn, one ballot at a time, each sent to a node that
// is up and followed until some node reports it in a block. A ballot is
// accepted when a node reports it committed with code 0; Accepted lists
// them, to be found in the record exactly once.
type BallotLoad struct {
	c        *Cluster
	proposal uint64
	stop     chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup

	mu       sync.Mutex
	accepted map[tx.ID]int64 // height each accepted ballot was reported at

	Submitted, Refused, TimedOut, FailedInBlock atomic.Int64
}

// StartBallotLoad opens a proposal for a day and starts workers voting on
// it with the cluster's members.
func StartBallotLoad(ctx context.Context, c *Cluster, workers int, seed uint64) (*BallotLoad, error) {
	l := &BallotLoad{c: c, stop: make(chan struct{}), accepted: map[tx.ID]int64{}}
	closes := time.Now().Add(12 * time.Hour).Unix()
	raw := c.Members[0].Sign(&tx.Propose{Title: "Mend the chaos", Category: "general", Closes: closes})
	if _, err := l.commit(ctx, raw, rand.New(rand.NewPCG(seed, 0))); err != nil {
		return nil, err
	}
	l.proposal = 1 // the chain's first proposal
	if workers <= 0 {
		workers = 4
	}
	for w := range workers {
		var mine []*coretest.Member
		for i, m := range c.Members {
			if i%workers == w {
				mine = append(mine, m)
			}
		}
		l.wg.Add(1)
		go l.work(mine, rand.New(rand.NewPCG(seed, uint64(w+1))))
	}
	return l, nil
}

// Stop stops the workers and waits for the ballots in flight. It may be
// called more than once.
func (l *BallotLoad) Stop() {
	l.stopOnce.Do(func() { close(l.stop) })
	l.wg.Wait()
}

// Accepted returns the ballots nodes reported committed with code 0, with
// the height reported.
func (l *BallotLoad) Accepted() map[tx.ID]int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[tx.ID]int64, len(l.accepted))
	for id, h := range l.accepted {
		out[id] = h
	}
	return out
}

func (l *BallotLoad) work(members []*coretest.Member, rng *rand.Rand) {
	defer l.wg.Done()
	choice := make([]tx.Choice, len(members))
	ctx := context.Background()
	for k := 0; ; k++ {
		select {
		case <-l.stop:
			return
		default:
		}
		i := k % len(members)
		m := members[i]
		choice[i] = choice[i]%3 + 1
		raw := m.Ballot(l.proposal, choice[i])
		res, err := l.commit(ctx, raw, rng)
		switch {
		case err == nil && res.Code == reject.OK:
			l.mu.Lock()
			l.accepted[res.ID] = res.Height
			l.mu.Unlock()
		case err == nil:
			l.FailedInBlock.Add(1)
		default:
			// Refused, or not seen in a block in time (its node died
			// with it in the mempool): take the nonce the chain expects.
			l.resync(ctx, m, rng)
		}
	}
}

// committed is a transaction's fate as a node reported it.
type committed struct {
	ID     tx.ID
	Height int64
	Code   reject.Code
}

// commit sends raw to a node that is up and waits until some node reports
// it in a block.
func (l *BallotLoad) commit(ctx context.Context, raw []byte, rng *rand.Rand) (committed, error) {
	var id tx.ID
	sent := false
	for try := 0; try < 20 && !sent; try++ {
		i, ok := l.pick(rng)
		if !ok {
			time.Sleep(200 * time.Millisecond)
			continue
		}
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		got, err := l.c.Nodes[i].Client.Submit(sctx, raw)
		cancel()
		var rerr *reject.Error
		if errors.As(err, &rerr) {
			l.Refused.Add(1)
			return committed{}, err
		}
		if err == nil {
			id, sent = got, true
		}
	}
	if !sent {
		return committed{}, errNotUp
	}
	l.Submitted.Add(1)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if i, ok := l.pick(rng); ok {
			var st query.TxStatus
			qctx, cancel := context.WithTimeout(ctx, 3*time.Second)
			err := l.c.Nodes[i].Client.Query(qctx, query.PathTx, id.String(), &st)
			cancel()
			if err == nil {
				return committed{ID: id, Height: st.Height, Code: reject.Code(st.Code)}, nil
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
	l.TimedOut.Add(1)
	return committed{ID: id}, errors.New("not in a block within 30 s")
}

// resync sets m's nonce to the one the chain expects next.
func (l *BallotLoad) resync(ctx context.Context, m *coretest.Member, rng *rand.Rand) {
	for try := 0; try < 50; try++ {
		if i, ok := l.pick(rng); ok {
			qctx, cancel := context.WithTimeout(ctx, 3*time.Second)
			n, err := l.c.Nodes[i].Client.NextNonce(qctx, m.Key)
			cancel()
			if err == nil {
				m.Nonce = n - 1
				return
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// pick returns a node that is up, at random.
func (l *BallotLoad) pick(rng *rand.Rand) (int, bool) {
	var up []int
	for i := range l.c.Nodes {
		if l.c.Up(i) {
			up = append(up, i)
		}
	}
	if len(up) == 0 {
		return 0, false
	}
	return up[rng.IntN(len(up))], true
}
