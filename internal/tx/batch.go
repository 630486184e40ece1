package tx

import (
	"runtime"
	"sync"

	"github.com/hdevalence/ed25519consensus"
)

// BatchSize is the number of signatures verified together in one batch.
const BatchSize = 256

// VerifyBatch checks the signatures of txs with ZIP-215 batch verification,
// spread over up to workers goroutines (runtime.NumCPU when workers <= 0),
// and records each outcome in its Tx. A failed batch is re-checked one by
// one so that exactly the bad signatures are marked. Transactions already
// checked are skipped.
func VerifyBatch(txs []*Tx, workers int) {
	var todo []*Tx
	for _, t := range txs {
		if !t.sigDone {
			todo = append(todo, t)
		}
	}
	if len(todo) == 0 {
		return
	}
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	chunk := (len(todo) + workers - 1) / workers
	if chunk > BatchSize {
		chunk = BatchSize
	}
	var wg sync.WaitGroup
	work := make(chan []*Tx)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for part := range work {
				verifyChunk(part)
			}
		}()
	}
	for i := 0; i < len(todo); i += chunk {
		work <- todo[i:min(i+chunk, len(todo))]
	}
	close(work)
	wg.Wait()
}

func verifyChunk(part []*Tx) {
	if len(part) == 1 {
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
