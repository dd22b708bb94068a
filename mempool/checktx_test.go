package mempool

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/ballot-bft/ballot/config"
	"github.com/ballot-bft/ballot/types"

	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// TestAdmissionErrors checks every refusal made before the app is asked: the error, its exact
// text (rpc.md §7), and that the app never saw the tx.
func TestAdmissionErrors(t *testing.T) {
	cases := []struct {
		name    string
		edit    func(*config.MempoolConfig)
		opts    []Option
		fill    types.Txs // admitted first
		tx      types.Tx
		is      error
		wantErr string
	}{
		{
			name:    "full by count, CometBFT's observed text",
			edit:    func(c *config.MempoolConfig) { c.Size = 1 },
			fill:    types.Txs{types.Tx("ab")},
			tx:      types.Tx("cd"),
			is:      ErrFull,
			wantErr: "mempool is full: number of txs 1 (max: 1), total txs bytes 2 (max: 1073741824)",
		},
		{
			name:    "full by bytes",
			edit:    func(c *config.MempoolConfig) { c.MaxTxsBytes = 10 },
			fill:    types.Txs{types.Tx("123456")},
			tx:      types.Tx("12345"),
			is:      ErrFull,
			wantErr: "mempool is full: number of txs 1 (max: 5000), total txs bytes 6 (max: 10)",
		},
		{
			name: "exactly max_txs_bytes fits",
			edit: func(c *config.MempoolConfig) { c.MaxTxsBytes = 10 },
			fill: types.Txs{types.Tx("123456")},
			tx:   types.Tx("1234"),
		},
		{
			name:    "full is checked before size",
			edit:    func(c *config.MempoolConfig) { c.Size = 1; c.MaxTxBytes = 1 },
			fill:    types.Txs{types.Tx("a")},
			tx:      types.Tx("too long"),
			is:      ErrFull,
			wantErr: "mempool is full: number of txs 1 (max: 1), total txs bytes 1 (max: 1073741824)",
		},
		{
			name:    "too large",
			edit:    func(c *config.MempoolConfig) { c.MaxTxBytes = 4 },
			tx:      types.Tx("12345"),
			is:      ErrTxTooLarge,
			wantErr: "Tx too large. Max size is 4, but got 5",
		},
		{
			name: "max_tx_bytes itself fits",
			edit: func(c *config.MempoolConfig) { c.MaxTxBytes = 4 },
			tx:   types.Tx("1234"),
		},
		{
			name:    "pre-check by proto size",
			opts:    []Option{WithPreCheck(PreCheckMaxBytes(11))},
			tx:      types.Tx("0123456789"), // 10 bytes, 12 inside Data
			wantErr: "tx pre check: tx size is too big: 12, max: 11",
		},
		{
			name: "pre-check passes at the limit",
			opts: []Option{WithPreCheck(PreCheckMaxBytes(12))},
			tx:   types.Tx("0123456789"),
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			app := newFakeApp(true)
			p := newPool(t, app, tc.edit, tc.opts...)
			mustAdd(t, p, tc.fill...)
			before := app.count(abci.CheckTxType_New)
			res, err := p.CheckTx(context.Background(), tc.tx, "")
			if tc.wantErr == "" {
				if err != nil || res.Code != 0 || !p.Contains(tc.tx.Key()) {
					t.Fatalf("CheckTx = (%v, %v), want the tx admitted", res, err)
				}
				return
			}
			if err == nil || err.Error() != tc.wantErr {
				t.Fatalf("CheckTx error = %v, want %q", err, tc.wantErr)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, tc.is)
			}
			if res != nil {
				t.Errorf("response %v with a pre-app refusal", res)
			}
			if got := app.count(abci.CheckTxType_New) - before; got != 0 {
				t.Errorf("app got %d requests for a refused tx", got)
			}
			if p.Contains(tc.tx.Key()) {
				t.Error("refused tx is in the pool")
			}
		})
	}
}

func TestPreCheckErrorWrapsCause(t *testing.T) {
	cause := errors.New("no")
	p := newPool(t, newFakeApp(true), nil, WithPreCheck(func(types.Tx) error { return cause }))
	_, err := p.CheckTx(context.Background(), types.Tx("x"), "")
	var pre *PreCheckError
	if !errors.As(err, &pre) || !errors.Is(err, cause) {
		t.Fatalf("err = %v, want a *PreCheckError wrapping %v", err, cause)
	}
}

func TestBrokenAppConnection(t *testing.T) {
	app := newFakeApp(true)
	p := newPool(t, app, nil)
	app.breakConn(errors.New("mempool connection: EOF"))
	_, err := p.CheckTx(context.Background(), types.Tx("x"), "")
	if err == nil || err.Error() != "appConn mempool: mempool connection: EOF" {
		t.Fatalf("err = %v", err)
	}
	var connErr *AppConnError
	if !errors.As(err, &connErr) {
		t.Fatalf("err %T is not an *AppConnError", err)
	}
}

// TestConnectionBreaksWhileChecking: a tx in flight when the connection breaks gets an error, is
// not admitted, and may be submitted again.
func TestConnectionBreaksWhileChecking(t *testing.T) {
	app := newFakeApp(false)
	p := newPool(t, app, nil)
	got := make(chan error, 1)
	if err := p.CheckTxAsync(context.Background(), types.Tx("x"), "", func(_ *abci.ResponseCheckTx, err error) { got <- err }); err != nil {
		t.Fatal(err)
	}
	app.breakConn(errors.New("EOF"))
	if err := <-got; err == nil || err.Error() != "appConn mempool: EOF" {
		t.Fatalf("callback error = %v", err)
	}
	if p.Size() != 0 || p.cache.has(types.Tx("x").Key()) {
		t.Fatal("tx of a broken request kept in the pool or cache")
	}
}

func TestAppRejection(t *testing.T) {
	for _, keep := range []bool{false, true} {
		app := newFakeApp(true)
		app.setScript(rejectScript(types.Tx("bad")))
		rec, metrics := newRecordingMetrics()
		p := newPool(t, app, func(c *config.MempoolConfig) { c.KeepInvalidTxsInCache = keep }, WithMetrics(metrics))
		res, err := p.CheckTx(context.Background(), types.Tx("bad"), "")
		if err != nil || res.Code != 1 || res.Log != "bad tx" {
			t.Fatalf("keep=%v: CheckTx = (%v, %v), want the app's code 1 and no error", keep, res, err)
		}
		if p.Size() != 0 {
			t.Fatalf("keep=%v: rejected tx admitted", keep)
		}
		_, err = p.CheckTx(context.Background(), types.Tx("bad"), "")
		if keep && !errors.Is(err, ErrTxInCache) {
			t.Errorf("keep=true: resubmission error = %v, want ErrTxInCache", err)
		}
		if !keep && err != nil {
			t.Errorf("keep=false: resubmission error = %v, want the app asked again", err)
		}
		wantRequests := map[bool]int{false: 2, true: 1}[keep]
		if got := app.count(abci.CheckTxType_New); got != wantRequests {
			t.Errorf("keep=%v: app got %d requests, want %d", keep, got, wantRequests)
		}
		if got := rec.counter("failed_txs"); got != float64(wantRequests) {
			t.Errorf("keep=%v: failed_txs = %v, want %d", keep, got, wantRequests)
		}
	}
}

func TestCacheHit(t *testing.T) {
	app := newFakeApp(true)
	rec, metrics := newRecordingMetrics()
	p := newPool(t, app, nil, WithMetrics(metrics))
	mustAdd(t, p, types.Tx("a"))
	_, err := p.CheckTx(context.Background(), types.Tx("a"), "peer-b")
	if err == nil || err.Error() != "tx already exists in cache" {
		t.Fatalf("duplicate: err = %v, want %q", err, "tx already exists in cache")
	}
	if !errors.Is(err, ErrTxInCache) {
		t.Error("not ErrTxInCache")
	}
	if app.count(abci.CheckTxType_New) != 1 {
		t.Error("a duplicate reached the app")
	}
	if rec.counter("already_received_txs") != 1 {
		t.Error("already_received_txs not counted")
	}
	entry, ok := p.NextTx(0)
	if !ok || !entry.SentBy("peer-b") || entry.SentBy("peer-c") {
		t.Fatalf("senders = %v, want [peer-b]", entry.Senders)
	}
}

// TestCacheDisabled: with cache_size 0 a tx in the pool is still refused, and a committed tx may
// come back.
func TestCacheDisabled(t *testing.T) {
	app := newFakeApp(true)
	p := newPool(t, app, func(c *config.MempoolConfig) { c.CacheSize = 0; c.Recheck = false })
	mustAdd(t, p, types.Tx("a"))
	if _, err := p.CheckTx(context.Background(), types.Tx("a"), ""); !errors.Is(err, ErrTxInCache) {
		t.Fatalf("duplicate in pool: err = %v", err)
	}
	if err := commit(p, 2, types.Txs{types.Tx("a")}); err != nil {
		t.Fatal(err)
	}
	mustAdd(t, p, types.Tx("a"))
}

// TestCacheLRU: the cache keeps the cache_size most recently pushed keys.
func TestCacheLRU(t *testing.T) {
	c := newTxCache(2)
	a, b, d := types.Tx("a").Key(), types.Tx("b").Key(), types.Tx("d").Key()
	if !c.push(a) || !c.push(b) {
		t.Fatal("new keys reported as cached")
	}
	if c.push(a) { // a becomes the most recent
		t.Fatal("cached key reported as new")
	}
	c.push(d) // evicts b, the least recently used
	if !c.has(a) || c.has(b) || !c.has(d) {
		t.Fatalf("after eviction: a=%v b=%v d=%v, want a and d", c.has(a), c.has(b), c.has(d))
	}
	c.remove(a)
	if c.has(a) || !c.push(a) {
		t.Fatal("removed key still cached")
	}
	c.reset()
	if c.has(a) || c.has(d) {
		t.Fatal("reset kept keys")
	}
}

func TestPostCheck(t *testing.T) {
	app := newFakeApp(true)
	app.setScript(gasScript(map[string]int64{"heavy": 6, "negative": -1, "fits": 5}))
	p := newPool(t, app, nil, WithPostCheck(PostCheckMaxGas(5)))
	for tx, want := range map[string]string{
		"heavy":    "tx post check: gas wanted 6 is greater than max gas 5",
		"negative": "tx post check: gas wanted -1 is negative",
	} {
		res, err := p.CheckTx(context.Background(), types.Tx(tx), "")
		if err == nil || err.Error() != want {
			t.Errorf("%s: err = %v, want %q", tx, err, want)
		}
		var post *PostCheckError
		if !errors.As(err, &post) || res == nil || res.Code != 0 {
			t.Errorf("%s: got (%v, %T), want the app's code-0 response and a *PostCheckError", tx, res, err)
		}
		if p.Contains(types.Tx(tx).Key()) || p.cache.has(types.Tx(tx).Key()) {
			t.Errorf("%s: refused tx kept in the pool or cache", tx)
		}
	}
	mustAdd(t, p, types.Tx("fits"))
}

func TestPostCheckMaxGasUnlimited(t *testing.T) {
	check := PostCheckMaxGas(-1)
	for _, gas := range []int64{-5, 0, 1 << 62} {
		if err := check(nil, &abci.ResponseCheckTx{GasWanted: gas}); err != nil {
			t.Errorf("gas %d: %v", gas, err)
		}
	}
	if err := PreCheckMaxBytes(-1)(make(types.Tx, 1<<20)); err != nil {
		t.Errorf("PreCheckMaxBytes(-1): %v", err)
	}
}

// TestPendingTxsHoldTheirPlace: in a pool with room for one, a tx the app is still checking
// holds the place, so a second one is refused for room before the app is asked — never accepted
// by the app and then dropped. A rejection by the app frees the place.
func TestPendingTxsHoldTheirPlace(t *testing.T) {
	app := newFakeApp(false)
	app.setScript(func(req *abci.RequestCheckTx) *abci.ResponseCheckTx {
		if string(req.Tx) == "invalid" {
			return &abci.ResponseCheckTx{Code: 7}
		}
		return &abci.ResponseCheckTx{}
	})
	rec, metrics := newRecordingMetrics()
	p := newPool(t, app, func(c *config.MempoolConfig) { c.Size = 1 }, WithMetrics(metrics))
	submit := func(tx string) (chan error, error) {
		done := make(chan error, 1)
		err := p.CheckTxAsync(context.Background(), types.Tx(tx), "", func(res *abci.ResponseCheckTx, err error) {
			if err == nil && res.Code != 0 {
				err = fmt.Errorf("code %d", res.Code)
			}
			done <- err
		})
		return done, err
	}

	// An invalid tx holds the place while the app checks it, and gives it back when refused.
	invalid, err := submit("invalid")
	if err != nil {
		t.Fatal(err)
	}
	want := "mempool is full: number of txs 1 (max: 1), total txs bytes 7 (max: 1073741824)"
	if _, err := submit("blocked"); err == nil || err.Error() != want || !errors.Is(err, ErrFull) {
		t.Fatalf("second tx while the first is checked: %v, want %q", err, want)
	}
	app.answerAll()
	if err := <-invalid; err == nil {
		t.Fatal("the app's rejection was not reported")
	}

	first, err := submit("first")
	if err != nil {
		t.Fatalf("the rejected tx kept its place: %v", err)
	}
	if _, err := submit("second"); !errors.Is(err, ErrFull) {
		t.Fatalf("second tx while the first is checked: %v, want ErrFull", err)
	}
	app.answerAll()
	if err := <-first; err != nil || p.Size() != 1 || !p.Contains(types.Tx("first").Key()) {
		t.Fatalf("first: %v; the pool does not hold exactly it", err)
	}
	if rec.counter("rejected_txs") != 2 {
		t.Errorf("rejected_txs = %v, want 2", rec.counter("rejected_txs"))
	}
	// Room again: the refused tx was never put in the cache, so it can come again.
	if err := commit(p, 2, types.Txs{types.Tx("first")}); err != nil {
		t.Fatal(err)
	}
	second, err := submit("second")
	if err != nil {
		t.Fatalf("resubmission refused: %v", err)
	}
	app.answerAll()
	if err := <-second; err != nil || !p.Contains(types.Tx("second").Key()) {
		t.Fatalf("resubmission: %v", err)
	}
}

// TestBrokenConnectionGivesThePlaceBack: a tx whose check fails on the connection does not keep
// holding a place.
func TestBrokenConnectionGivesThePlaceBack(t *testing.T) {
	app := newFakeApp(false)
	p := newPool(t, app, func(c *config.MempoolConfig) { c.Size = 1 })
	done := make(chan error, 1)
	if err := p.CheckTxAsync(context.Background(), types.Tx("lost"), "", func(_ *abci.ResponseCheckTx, err error) { done <- err }); err != nil {
		t.Fatal(err)
	}
	app.breakConn(errors.New("connection reset"))
	if err := <-done; !errors.As(err, new(*AppConnError)) {
		t.Fatalf("lost tx: %v, want an AppConnError", err)
	}
	app.reconnect()
	if err := p.CheckTxAsync(context.Background(), types.Tx("next"), "", nil); err != nil {
		t.Fatalf("the lost tx still holds its place: %v", err)
	}
}

// TestSameTxTwiceInFlight: with the cache disabled the same tx may be checked twice at once;
// both submitters learn it is in the pool, and it is there once.
func TestSameTxTwiceInFlight(t *testing.T) {
	app := newFakeApp(false)
	p := newPool(t, app, func(c *config.MempoolConfig) { c.CacheSize = 0 })
	results := make(chan error, 2)
	for _, sender := range []string{"peer-a", "peer-b"} {
		if err := p.CheckTxAsync(context.Background(), types.Tx("same"), peerID(sender), func(res *abci.ResponseCheckTx, err error) {
			if err == nil && res.Code != 0 {
				err = errors.New("rejected")
			}
			results <- err
		}); err != nil {
			t.Fatal(err)
		}
	}
	app.answerAll()
	for range 2 {
		if err := <-results; err != nil {
			t.Fatal(err)
		}
	}
	entry, ok := p.NextTx(0)
	if p.Size() != 1 || !ok || !entry.SentBy("peer-a") || !entry.SentBy("peer-b") {
		t.Fatalf("size %d, senders %v", p.Size(), entry.Senders)
	}
}

func TestCheckTxContextEndsBeforeAnswer(t *testing.T) {
	app := newFakeApp(false)
	p := newPool(t, app, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := p.CheckTx(ctx, types.Tx("slow"), "")
		done <- err
	}()
	app.waitPending(1)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	app.answerAll() // the late answer still admits the tx
	if !p.Contains(types.Tx("slow").Key()) {
		t.Fatal("late code-0 answer not applied")
	}
}
