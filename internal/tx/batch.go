package tx

import (
	"runtime"
	"sync"

	"github.com/hdevalence/ed25519consensus"

	"github.com/folkmoot/folkmoot/internal/reject"
)

// BatchSize is the largest number of signatures verified together in one
// batch.
const BatchSize = 256

// VerifyBatch checks the signatures of txs with ZIP-215 batch verification,
// spread over up to workers goroutines (runtime.NumCPU when workers <= 0),
// and records each outcome in its Tx. A failed batch is re-checked one by
// one so that exactly the bad signatures are marked. Transactions already
// checked are skipped.
func VerifyBatch(txs []*Tx, workers int) {
	var todo []*Tx
	for _, t := range txs {
		if t != nil && !t.sigDone {
			todo = append(todo, t)
		}
	}
	parallel(len(todo), workers, func(lo, hi int) { verifyChunk(todo[lo:hi]) })
}

// DecodeBatch decodes many signed transactions and verifies their
// signatures in batches, in parallel. For each input it returns either the
// Tx (signature outcome recorded in it) or the decoding rejection.
func DecodeBatch(raws [][]byte, workers int) ([]*Tx, []*reject.Error) {
	txs := make([]*Tx, len(raws))
	errs := make([]*reject.Error, len(raws))
	parallel(len(raws), workers, func(lo, hi int) {
		var ok []*Tx
		for i := lo; i < hi; i++ {
			txs[i], errs[i] = Decode(raws[i])
			if txs[i] != nil && !txs[i].sigDone {
				ok = append(ok, txs[i])
			}
		}
		verifyChunk(ok)
	})
	return txs, errs
}

// parallel runs fn over [0,n) in chunks of at most BatchSize, on up to
// workers goroutines.
func parallel(n, workers int, fn func(lo, hi int)) {
	if n == 0 {
		return
	}
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	chunk := min((n+workers-1)/workers, BatchSize)
	if workers == 1 || n <= chunk {
		for lo := 0; lo < n; lo += chunk {
			fn(lo, min(lo+chunk, n))
		}
		return
	}
	var wg sync.WaitGroup
	work := make(chan [2]int, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range work {
				fn(r[0], r[1])
			}
		}()
	}
	for lo := 0; lo < n; lo += chunk {
		work <- [2]int{lo, min(lo+chunk, n)}
	}
	close(work)
	wg.Wait()
}

func verifyChunk(part []*Tx) {
	switch len(part) {
	case 0:
		return
	case 1:
		part[0].CheckSignature()
		return
	}
	v := ed25519consensus.NewPreallocatedBatchVerifier(len(part))
	for _, t := range part {
		v.Add(t.Author[:], t.SignBytes(), t.sig)
	}
	ok := v.Verify()
	for _, t := range part {
		if ok {
			t.MarkVerified(true)
		} else {
			t.CheckSignature()
		}
	}
}
