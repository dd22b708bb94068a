package mempool

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/ballot-bft/ballot/config"
	"github.com/ballot-bft/ballot/types"

	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// TestNeverSilentlyDropped hammers a nearly full pool with concurrent CheckTx calls from many
// goroutines while blocks commit and rechecks evict. Every tx reported accepted must end up in
// the pool, in a block, or evicted by a RECHECK the app failed; every other submitter must have
// been told (an error or the app's non-zero code), and before the app was asked when for room;
// the limits must hold throughout.
func TestNeverSilentlyDropped(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) { checkNeverSilentlyDropped(t, seed) })
	}
}

type submission struct {
	tx  types.Tx
	res *abci.ResponseCheckTx
	err error
}

func checkNeverSilentlyDropped(t *testing.T, seed uint64) {
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("seed %d", seed)
		}
	})
	rng := rand.New(rand.NewPCG(seed, seed))
	const (
		maxTxs     = 40
		maxBytes   = 40 * 12
		prefill    = 35
		submitters = 16
		perWorker  = 25
	)
	// The app rejects about 1 in 8 txs on NEW, and about 1 in 16 of the others on RECHECK.
	newSalt, recheckSalt := byte(rng.Uint32()), byte(rng.Uint32())
	var evictedMu sync.Mutex
	evicted := make(map[string]bool)
	app := newFakeApp(false)
	app.setScript(func(req *abci.RequestCheckTx) *abci.ResponseCheckTx {
		key := types.Tx(req.Tx).Key()
		if (key[0]^newSalt)%8 == 0 {
			return &abci.ResponseCheckTx{Code: 2}
		}
		if req.Type == abci.CheckTxType_Recheck && (key[1]^recheckSalt)%16 == 0 {
			evictedMu.Lock()
			evicted[string(req.Tx)] = true
			evictedMu.Unlock()
			return &abci.ResponseCheckTx{Code: 3}
		}
		return &abci.ResponseCheckTx{GasWanted: 1}
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go app.serve(ctx)

	rec, metrics := newRecordingMetrics()
	p := newPool(t, app, func(c *config.MempoolConfig) { c.Size = maxTxs; c.MaxTxsBytes = maxBytes }, WithMetrics(metrics))
	var accepted []types.Tx
	for i := 0; len(accepted) < prefill; i++ {
		tx := types.Tx(fmt.Sprintf("pre-%d-%04d", seed, i))
		if res, err := p.CheckTx(ctx, tx, ""); err == nil && res.Code == 0 {
			accepted = append(accepted, tx)
		}
	}

	// A gossip reader walks the pool the whole time: sequence numbers only grow.
	gossipDone := make(chan error, 1)
	go func() {
		var last uint64
		for {
			e, err := p.WaitNextTx(ctx, last)
			if err != nil {
				gossipDone <- nil
				return
			}
			if e.Seq <= last {
				gossipDone <- fmt.Errorf("NextTx went back from %d to %d", last, e.Seq)
				return
			}
			last = e.Seq
		}
	}()

	// The committer starts only once a submitter has been refused for a full pool, so every
	// seed exercises the limits however the scheduler interleaves the goroutines.
	filled := make(chan struct{})
	var fillOnce sync.Once
	results := make(chan submission, submitters*perWorker)
	var workers sync.WaitGroup
	for w := range submitters {
		workers.Go(func() {
			for i := range perWorker {
				// Sizes 10..12 bytes, so the byte limit bites as well as the count.
				tx := types.Tx(fmt.Sprintf("w%02d-%03d-%s", w, i, "xyz"[:i%3]))
				res, err := p.CheckTx(ctx, tx, peerID(fmt.Sprint("peer-", w)))
				if errors.Is(err, ErrFull) {
					fillOnce.Do(func() { close(filled) })
				}
				results <- submission{tx, res, err}
			}
		})
	}
	workersDone := make(chan struct{})
	go func() {
		workers.Wait()
		close(workersDone)
	}()

	// The block executor: whenever txs arrive, commit a few of them.
	committed := make(map[string]bool)
	commitErr := make(chan error, 1)
	go func() {
		select {
		case <-filled:
		case <-workersDone:
		}
		height := int64(1)
		for {
			wait := p.TxsWaitChan()
			block := p.ReapMaxTxs(1 + rng.IntN(7))
			if len(block) == 0 {
				select {
				case <-wait:
					continue
				case <-workersDone:
					commitErr <- nil
					return
				}
			}
			height++
			if err := commit(p, height, block); err != nil {
				commitErr <- err
				return
			}
			for _, tx := range block {
				committed[string(tx)] = true
			}
			select {
			case <-workersDone:
				commitErr <- nil
				return
			default:
			}
		}
	}()
	if err := <-commitErr; err != nil {
		t.Fatal(err)
	}
	<-workersDone
	close(results)
	cancel()
	if err := <-gossipDone; err != nil {
		t.Fatal(err)
	}

	var fullBefore, fullAfter, appRejected int
	for s := range results {
		switch {
		case s.err == nil && s.res.Code == 0:
			accepted = append(accepted, s.tx)
		case s.err == nil:
			appRejected++
			if p.Contains(s.tx.Key()) || committed[string(s.tx)] {
				t.Errorf("%s: rejected by the app (code %d) but admitted", s.tx, s.res.Code)
			}
		default:
			if errors.Is(s.err, ErrFull) {
				if s.res != nil {
					fullAfter++
				} else {
					fullBefore++
				}
			}
			if p.Contains(s.tx.Key()) || committed[string(s.tx)] {
				t.Errorf("%s: refused (%v) but admitted", s.tx, s.err)
			}
		}
	}
	inPool, inBlocks, gone := 0, 0, 0
	for _, tx := range accepted {
		switch {
		case p.Contains(tx.Key()):
			inPool++
		case committed[string(tx)]:
			inBlocks++
		case evicted[string(tx)]:
			gone++
		default:
			t.Errorf("%s: accepted, then silently dropped", tx)
		}
	}
	if inPool != p.Size() {
		t.Errorf("pool holds %d txs, %d of them accepted", p.Size(), inPool)
	}
	if max := rec.max("size"); max > maxTxs {
		t.Errorf("pool reached %v txs (limit %d)", max, maxTxs)
	}
	if max := rec.max("size_bytes"); max > maxBytes {
		t.Errorf("pool reached %v bytes (limit %d)", max, maxBytes)
	}
	if fullBefore+fullAfter == 0 {
		t.Error("the pool never filled up: the test did not exercise the limits")
	}
	if fullAfter > 0 {
		t.Errorf("%d txs the app accepted were refused for room: admitted txs must hold their place", fullAfter)
	}
	t.Logf("accepted %d (pool %d, committed %d, evicted %d); app-rejected %d; full before the app %d, after %d",
		len(accepted), inPool, inBlocks, gone, appRejected, fullBefore, fullAfter)
}
