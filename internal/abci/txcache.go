package abci

import (
	"crypto/sha256"
	"sync"

	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// txCache keeps transactions this node decoded and whose signature it
// checked, by id, so that each is decoded and verified once: in CheckTx,
// and not again in a recheck, PrepareProposal, ProcessProposal or
// FinalizeBlock. Entries leave when their transaction is in a block; at
// most size are kept, the oldest forgotten first. Cached transactions are
// never modified, so they are shared between goroutines safely.
type txCache struct {
	mu    sync.Mutex
	size  int
	txs   map[tx.ID]*tx.Tx
	order []tx.ID // ring of insertion order
	next  int
}

func newTxCache(size int) *txCache {
	return &txCache{size: size, txs: make(map[tx.ID]*tx.Tx, min(size, 1<<16))}
}

// get returns the cached transaction with these bytes, if any.
func (c *txCache) get(raw []byte) (*tx.Tx, bool) {
	id := tx.ID(sha256.Sum256(raw))
	c.mu.Lock()
	t, ok := c.txs[id]
	c.mu.Unlock()
	return t, ok
}

// decode returns the transaction for raw from the cache, or decodes it
// (without checking its signature).
func (c *txCache) decode(raw []byte) (*tx.Tx, bool, *reject.Error) {
	if t, ok := c.get(raw); ok {
		return t, true, nil
	}
	t, err := tx.Decode(raw)
	return t, false, err
}

// put caches t, whose signature must have been checked.
func (c *txCache) put(t *tx.Tx) {
	id := t.ID()
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, found := c.txs[id]; found {
		return
	}
	if len(c.order) < c.size {
		c.order = append(c.order, id)
	} else {
		delete(c.txs, c.order[c.next])
		c.order[c.next] = id
		c.next = (c.next + 1) % c.size
	}
	c.txs[id] = t
}

// forget drops a transaction once it is in a block.
func (c *txCache) forget(id tx.ID) {
	c.mu.Lock()
	delete(c.txs, id)
	c.mu.Unlock()
}
