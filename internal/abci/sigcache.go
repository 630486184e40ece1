package abci

import (
	"sync"

	"github.com/folkmoot/folkmoot/internal/tx"
)

// sigCache remembers the outcome of signature checks by transaction id, so
// that a node verifies each signature once: in CheckTx, and not again in
// ProcessProposal or FinalizeBlock. It holds at most size entries and
// forgets the oldest first.
type sigCache struct {
	mu    sync.Mutex
	size  int
	ok    map[tx.ID]bool
	order []tx.ID // ring of insertion order
	next  int
}

func newSigCache(size int) *sigCache {
	return &sigCache{size: size, ok: make(map[tx.ID]bool, size)}
}

// apply marks t verified if its outcome is cached.
func (c *sigCache) apply(t *tx.Tx) {
	c.mu.Lock()
	ok, found := c.ok[t.ID()]
	c.mu.Unlock()
	if found {
		t.MarkVerified(ok)
	}
}

// remember caches t's outcome, checking its signature if that was not done.
func (c *sigCache) remember(t *tx.Tx) {
	id := t.ID()
	c.mu.Lock()
	_, found := c.ok[id]
	c.mu.Unlock()
	if found {
		return
	}
	ok := t.CheckSignature() == nil // outside the lock: the slow part
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, found := c.ok[id]; found {
		return
	}
	if len(c.order) < c.size {
		c.order = append(c.order, id)
	} else {
		delete(c.ok, c.order[c.next])
		c.order[c.next] = id
		c.next = (c.next + 1) % c.size
	}
	c.ok[id] = ok
}

// forget drops an id once its transaction is in a block.
func (c *sigCache) forget(id tx.ID) {
	c.mu.Lock()
	delete(c.ok, id)
	c.mu.Unlock()
}
