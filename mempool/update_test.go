package mempool

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ballot-bft/ballot/config"
	"github.com/ballot-bft/ballot/types"

	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

func noRecheck(c *config.MempoolConfig) { c.Recheck = false }

// TestUpdateRemovesCommittedTxs: committed txs leave the pool whatever their result; valid ones
// stay cached, invalid ones leave the cache unless keep-invalid-txs-in-cache.
func TestUpdateRemovesCommittedTxs(t *testing.T) {
	for _, keep := range []bool{false, true} {
		app := newFakeApp(true)
		p := newPool(t, app, func(c *config.MempoolConfig) { noRecheck(c); c.KeepInvalidTxsInCache = keep })
		mustAdd(t, p, types.Tx("a"), types.Tx("b"), types.Tx("c"), types.Tx("d"))
		// "x" was never in this pool (another node's tx).
		block := types.Txs{types.Tx("b"), types.Tx("x"), types.Tx("d")}
		if err := commit(p, 2, block, 0, 0, 7); err != nil {
			t.Fatal(err)
		}
		if got := p.ReapMaxTxs(-1); len(got) != 2 || string(got[0]) != "a" || string(got[1]) != "c" {
			t.Fatalf("keep=%v: pool after update = %q, want [a c]", keep, got)
		}
		if p.SizeBytes() != 2 {
			t.Fatalf("keep=%v: SizeBytes = %d", keep, p.SizeBytes())
		}
		for _, tx := range []string{"b", "x"} {
			if _, err := p.CheckTx(context.Background(), types.Tx(tx), ""); !errors.Is(err, ErrTxInCache) {
				t.Errorf("keep=%v: committed valid %q resubmitted: err = %v, want ErrTxInCache", keep, tx, err)
			}
		}
		_, err := p.CheckTx(context.Background(), types.Tx("d"), "")
		if keep && !errors.Is(err, ErrTxInCache) {
			t.Errorf("keep=true: committed invalid tx resubmitted: err = %v, want ErrTxInCache", err)
		}
		if !keep && err != nil {
			t.Errorf("keep=false: committed invalid tx resubmitted: err = %v, want it checked again", err)
		}
	}
}

func TestUpdateMisuse(t *testing.T) {
	p := newPool(t, newFakeApp(true), nil)
	if err := p.Update(2, nil, nil, nil, nil); !errors.Is(err, ErrNotLocked) {
		t.Fatalf("Update without Lock: %v", err)
	}
	p.Lock()
	defer p.Unlock()
	if err := p.Update(2, types.Txs{types.Tx("a")}, nil, nil, nil); err == nil {
		t.Fatal("Update with missing results succeeded")
	}
}

func TestUnlockWithoutLockPanics(t *testing.T) {
	p := newPool(t, newFakeApp(true), nil)
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	p.Unlock()
}

// TestUpdateReplacesChecks: non-nil checks passed to Update apply from then on; nil keeps them.
func TestUpdateReplacesChecks(t *testing.T) {
	p := newPool(t, newFakeApp(true), noRecheck, WithPreCheck(PreCheckMaxBytes(100)))
	p.Lock()
	if err := p.Update(2, nil, nil, PreCheckMaxBytes(4), nil); err != nil {
		t.Fatal(err)
	}
	p.Unlock()
	if _, err := p.CheckTx(context.Background(), types.Tx("abc"), ""); err == nil {
		t.Fatal("tx of 5 bytes in Data passed PreCheckMaxBytes(4)")
	}
	if err := commit(p, 3, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := p.CheckTx(context.Background(), types.Tx("abc"), ""); err == nil {
		t.Fatal("nil pre-check in Update dropped the current one")
	}
}

// TestRecheckEvictsInvalid: after a block, every remaining tx is rechecked; those the app now
// rejects leave the pool (and the cache), the others keep their order.
func TestRecheckEvictsInvalid(t *testing.T) {
	app := newFakeApp(true)
	rec, metrics := newRecordingMetrics()
	p := newPool(t, app, nil, WithMetrics(metrics))
	mustAdd(t, p, types.Tx("a"), types.Tx("b"), types.Tx("c"), types.Tx("d"))
	app.setScript(rejectScript(types.Tx("b")))
	if err := commit(p, 2, types.Txs{types.Tx("a")}); err != nil {
		t.Fatal(err)
	}
	if got := p.ReapMaxTxs(-1); len(got) != 2 || string(got[0]) != "c" || string(got[1]) != "d" {
		t.Fatalf("pool = %q, want [c d]", got)
	}
	if n := app.count(abci.CheckTxType_Recheck); n != 3 {
		t.Errorf("%d RECHECK requests, want 3", n)
	}
	if rec.counter("evicted_txs") != 1 || rec.counter("recheck_times") != 1 {
		t.Errorf("evicted_txs %v, recheck_times %v; want 1, 1", rec.counter("evicted_txs"), rec.counter("recheck_times"))
	}
	if rec.gauge("size") != 2 || rec.gauge("size_bytes") != 2 {
		t.Errorf("size gauges %v/%v, want 2/2", rec.gauge("size"), rec.gauge("size_bytes"))
	}
	// Evicted, so forgotten by the cache: a resubmission reaches the app (which rejects it).
	if res, err := p.CheckTx(context.Background(), types.Tx("b"), ""); err != nil || res.Code != 1 {
		t.Fatalf("resubmitted evicted tx: (%v, %v)", res, err)
	}
}

func TestRecheckPostCheck(t *testing.T) {
	app := newFakeApp(true)
	p := newPool(t, app, nil)
	mustAdd(t, p, types.Tx("a"), types.Tx("b"))
	app.setScript(gasScript(map[string]int64{"a": 10}))
	p.Lock()
	defer p.Unlock()
	if err := p.Update(2, nil, nil, nil, PostCheckMaxGas(5)); err != nil {
		t.Fatal(err)
	}
	if p.Contains(types.Tx("a").Key()) || !p.Contains(types.Tx("b").Key()) {
		t.Fatal("recheck did not apply the new post-check")
	}
}

func TestRecheckDisabled(t *testing.T) {
	app := newFakeApp(true)
	p := newPool(t, app, noRecheck)
	mustAdd(t, p, types.Tx("a"), types.Tx("b"))
	app.setScript(rejectScript(types.Tx("b")))
	if err := commit(p, 2, types.Txs{types.Tx("a")}); err != nil {
		t.Fatal(err)
	}
	if app.count(abci.CheckTxType_Recheck) != 0 || !p.Contains(types.Tx("b").Key()) {
		t.Fatal("recheck ran with recheck = false")
	}
}

// TestRecheckIsPipelined: Update queues a RECHECK for every remaining tx and then a Flush before
// any answer arrives, and returns once all are answered.
func TestRecheckIsPipelined(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		app := newFakeApp(true)
		p := newPool(t, app, nil)
		mustAdd(t, p, numberedTxs("tx", 5)...)
		app.setInline(false) // from here on, answers wait for the test
		updated := make(chan error, 1)
		go func() { updated <- commit(p, 2, nil) }()
		synctest.Wait()
		if n := app.pending(); n != 5 || !app.flushQueued() {
			t.Fatalf("%d RECHECKs queued (flush queued: %v), want 5 and a Flush", n, app.flushQueued())
		}
		select {
		case err := <-updated:
			t.Fatalf("Update returned before the answers: %v", err)
		default:
		}
		app.answerAll()
		if err := <-updated; err != nil {
			t.Fatal(err)
		}
		if p.Size() != 5 {
			t.Fatalf("size %d after a clean recheck", p.Size())
		}
	})
}

// TestRecheckTimeout: Update waits recheck_timeout at most. Until the last answer arrives the pool
// refuses new txs as full; late answers still evict.
func TestRecheckTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		app := newFakeApp(true)
		const timeout = 3 * time.Second
		p := newPool(t, app, func(c *config.MempoolConfig) { c.RecheckTimeout = timeout })
		mustAdd(t, p, types.Tx("a"), types.Tx("b"), types.Tx("c"))
		app.setInline(false)
		app.setScript(rejectScript(types.Tx("c")))

		start := time.Now()
		if err := commit(p, 2, nil); err != nil {
			t.Fatal(err)
		}
		if waited := time.Since(start); waited != timeout {
			t.Fatalf("Update waited %v, want recheck_timeout %v", waited, timeout)
		}
		_, err := p.CheckTx(context.Background(), types.Tx("new"), "")
		want := "mempool is still rechecking after a new committed block, so it is considered as full"
		if !errors.Is(err, ErrRecheckFull) || err.Error() != want {
			t.Fatalf("CheckTx during recheck: %v", err)
		}
		app.answer(2) // a, b: still valid; the round is still open
		if _, err := p.CheckTx(context.Background(), types.Tx("new"), ""); !errors.Is(err, ErrRecheckFull) {
			t.Fatalf("CheckTx with one answer outstanding: %v", err)
		}
		app.answerAll() // c: now invalid
		if p.Contains(types.Tx("c").Key()) || p.Size() != 2 {
			t.Fatal("late RECHECK answer not applied")
		}
		app.setInline(true)
		mustAdd(t, p, types.Tx("new"))
	})
}

// TestRecheckTimeoutZero: with a recheck_timeout of 0 nothing is sent and nothing waits.
func TestRecheckTimeoutZero(t *testing.T) {
	app := newFakeApp(true)
	p := newPool(t, app, func(c *config.MempoolConfig) { c.RecheckTimeout = 0 })
	mustAdd(t, p, types.Tx("a"))
	if err := commit(p, 2, nil); err != nil {
		t.Fatal(err)
	}
	if app.count(abci.CheckTxType_Recheck) != 0 || p.Size() != 1 {
		t.Fatal("recheck_timeout 0 sent RECHECKs or lost txs")
	}
	mustAdd(t, p, types.Tx("b")) // no round left open
}

// TestRecheckConnectionBreaks: the txs stay, Update reports the broken connection, and the round
// ends.
func TestRecheckConnectionBreaks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		app := newFakeApp(true)
		p := newPool(t, app, nil)
		mustAdd(t, p, types.Tx("a"), types.Tx("b"))
		app.setInline(false)
		updated := make(chan error, 1)
		go func() { updated <- commit(p, 2, nil) }()
		synctest.Wait()
		app.breakConn(errors.New("EOF"))
		err := <-updated
		var connErr *AppConnError
		if !errors.As(err, &connErr) {
			t.Fatalf("Update: %v, want an *AppConnError", err)
		}
		if p.Size() != 2 {
			t.Fatal("txs lost when the connection broke")
		}
		p.mtx.Lock()
		open := p.recheck != nil
		p.mtx.Unlock()
		if open {
			t.Fatal("recheck round left open")
		}
	})
}

// TestUpdateBlocksNewCheckTx: between Lock and Unlock no new CheckTx reaches the app.
func TestUpdateBlocksNewCheckTx(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		app := newFakeApp(true)
		p := newPool(t, app, nil)
		p.Lock()
		done := make(chan error, 1)
		go func() {
			_, err := p.CheckTx(context.Background(), types.Tx("a"), "")
			done <- err
		}()
		ctx, cancel := context.WithCancel(context.Background())
		gaveUp := make(chan error, 1)
		go func() {
			_, err := p.CheckTx(ctx, types.Tx("b"), "")
			gaveUp <- err
		}()
		synctest.Wait()
		if n := app.count(abci.CheckTxType_New); n != 0 {
			t.Fatalf("%d CheckTx reached the app during the update", n)
		}
		cancel()
		if err := <-gaveUp; !errors.Is(err, context.Canceled) {
			t.Fatalf("waiting CheckTx with a cancelled context: %v", err)
		}
		if err := p.Update(2, nil, nil, nil, nil); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-done:
			t.Fatalf("CheckTx finished before Unlock: %v", err)
		default:
		}
		p.Unlock()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if !p.Contains(types.Tx("a").Key()) || p.Contains(types.Tx("b").Key()) {
			t.Fatal("wrong txs admitted after the update")
		}
	})
}

// TestLockWaitsForAdmittedCheckTx: Lock returns only after a CheckTx that passed the checks has
// queued its request, so the FlushAppConn that follows covers it.
func TestLockWaitsForAdmittedCheckTx(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		app := newFakeApp(false)
		release := make(chan struct{})
		app.beforeQueue = func(ctx context.Context) error {
			select {
			case <-release:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		p := newPool(t, app, nil)
		checked := make(chan error, 1)
		go func() {
			_, err := p.CheckTx(context.Background(), types.Tx("a"), "")
			checked <- err
		}()
		synctest.Wait() // CheckTx is held just before queuing
		locked := make(chan struct{})
		go func() {
			p.Lock()
			close(locked)
		}()
		synctest.Wait()
		select {
		case <-locked:
			t.Fatal("Lock returned while a CheckTx was between the checks and the app")
		default:
		}
		close(release)
		<-locked
		flushed := make(chan error, 1)
		go func() { flushed <- p.FlushAppConn(context.Background()) }()
		synctest.Wait()
		app.answerAll()
		if err := <-flushed; err != nil {
			t.Fatal(err)
		}
		if err := <-checked; err != nil || !p.Contains(types.Tx("a").Key()) {
			t.Fatalf("CheckTx: %v", err)
		}
		p.Unlock()
	})
}

// TestTxsAvailable: the notification fires once per height, when the pool first has a tx.
func TestTxsAvailable(t *testing.T) {
	app := newFakeApp(true)
	p := newPool(t, app, noRecheck)
	if p.TxsAvailable() != nil {
		t.Fatal("TxsAvailable before EnableTxsAvailable")
	}
	p.EnableTxsAvailable()
	ch := p.TxsAvailable()
	fired := func() bool {
		select {
		case <-ch:
			return true
		default:
			return false
		}
	}
	if fired() {
		t.Fatal("fired on an empty pool")
	}
	mustAdd(t, p, types.Tx("a"))
	mustAdd(t, p, types.Tx("b"))
	if !fired() || fired() {
		t.Fatal("want exactly one notification for the first height")
	}
	if err := commit(p, 2, types.Txs{types.Tx("a")}); err != nil {
		t.Fatal(err)
	}
	if !fired() {
		t.Fatal("no notification after an update that left txs")
	}
	mustAdd(t, p, types.Tx("c"))
	if fired() {
		t.Fatal("second notification at the same height")
	}
	if err := commit(p, 3, types.Txs{types.Tx("b"), types.Tx("c")}); err != nil {
		t.Fatal(err)
	}
	if fired() {
		t.Fatal("notification after an update that emptied the pool")
	}
	mustAdd(t, p, types.Tx("d"))
	if !fired() {
		t.Fatal("no notification for the first tx of a new height")
	}
}

// TestTxsAvailableAfterRecheck: with recheck on, the notification waits for the recheck.
func TestTxsAvailableAfterRecheck(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		app := newFakeApp(true)
		p := newPool(t, app, nil)
		p.EnableTxsAvailable()
		mustAdd(t, p, types.Tx("a"), types.Tx("b"))
		<-p.TxsAvailable()
		app.setInline(false)
		updated := make(chan error, 1)
		go func() { updated <- commit(p, 2, types.Txs{types.Tx("a")}) }()
		synctest.Wait()
		select {
		case <-p.TxsAvailable():
			t.Fatal("notified before the recheck answered")
		default:
		}
		app.answerAll()
		if err := <-updated; err != nil {
			t.Fatal(err)
		}
		select {
		case <-p.TxsAvailable():
		default:
			t.Fatal("no notification after the recheck")
		}
	})
}
