package state

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ballot-bft/ballot/abci/example/kvstore"
)

// refChain is a chain run block by block through the executor, with a copy of the node's
// databases and the state after every height.
type refChain struct {
	cfg    chainConfig
	snaps  map[int64]nodeDBs
	states map[int64]State
}

// buildRefChain runs blocks heights through the executor, txsPerBlock transactions each.
func buildRefChain(t *testing.T, cfg chainConfig, blocks int, txsPerBlock int) refChain {
	t.Helper()
	dbs := newNodeDBs()
	n := startTestNode(t, cfg, dbs)
	ref := refChain{cfg: cfg, snaps: map[int64]nodeDBs{0: dbs.copy(t)}, states: map[int64]State{0: n.state}}
	for range blocks {
		b := n.commitBlock(txsOf(n.state.nextHeight(), txsPerBlock)...)
		ref.snaps[b.Height] = dbs.copy(t)
		ref.states[b.Height] = n.state
	}
	return ref
}

// mix returns copies of the state database after height state, the block database after
// height blocks and the app database after height app; app < 0 is an empty app.
func (r refChain) mix(t *testing.T, state, blocks, app int64) nodeDBs {
	t.Helper()
	dbs := nodeDBs{state: copyDB(t, r.snaps[state].state), blocks: copyDB(t, r.snaps[blocks].blocks)}
	if app < 0 {
		dbs.app = newNodeDBs().app
	} else {
		dbs.app = copyDB(t, r.snaps[app].app)
	}
	return dbs
}

// crashDuring returns databases of a node that was synced at height-1, saved block height and
// crashed while applying it at the point inject sets up (nil: before FinalizeBlock).
func (r refChain) crashDuring(t *testing.T, height int64, inject func(n *testNode)) nodeDBs {
	t.Helper()
	dbs := r.snaps[height-1].copy(t)
	n := startTestNode(t, r.cfg, dbs)
	n.propose(txsOf(height, 2)...)
	if inject == nil {
		return dbs
	}
	inject(n)
	if err := n.applyLast(); !errors.Is(err, errCrash) {
		t.Fatalf("applying block %d: %v, want the injected crash", height, err)
	}
	return dbs
}

type handshakeCase struct {
	name string
	dbs  func(t *testing.T) nodeDBs
	// pre are the block store, state and app heights before the handshake: the row of
	// consensus.md §12 the case exercises.
	pre          [3]int64
	wantErr      error
	wantErrText  string
	wantHeight   int64
	wantReplayed int
	wantEvents   bool // the block at wantHeight is applied with its events
}

func TestHandshakeRecoversEveryCrashPoint(t *testing.T) {
	cfg := chainConfig{validators: fourVals}
	const top = 5
	ref := buildRefChain(t, cfg, top+1, 2) // height top+1 checks the chain continues
	other := buildRefChain(t, cfg, top, 3) // another chain: other app hashes

	cases := []handshakeCase{
		{name: "new node, new app", dbs: func(t *testing.T) nodeDBs { return newNodeDBs() },
			pre: [3]int64{0, 0, 0}, wantHeight: 0},
		{name: "no blocks, app of another chain", dbs: func(t *testing.T) nodeDBs {
			dbs := newNodeDBs()
			dbs.app = copyDB(t, other.snaps[3].app)
			return dbs
		}, pre: [3]int64{0, 0, 3}, wantErr: ErrAppHashMismatch, wantErrText: "app hash mismatch at height 0: state has"},
		{name: "synced", dbs: func(t *testing.T) nodeDBs { return ref.mix(t, top, top, top) },
			pre: [3]int64{top, top, top}, wantHeight: top},
		{name: "synced heights, app of another chain", dbs: func(t *testing.T) nodeDBs {
			dbs := ref.mix(t, top, top, top)
			dbs.app = copyDB(t, other.snaps[top].app)
			return dbs
		}, pre: [3]int64{top, top, top}, wantErr: ErrAppHashMismatch, wantErrText: fmt.Sprintf("app hash mismatch at height %d: state has", top)},
		{name: "store=state, app behind", dbs: func(t *testing.T) nodeDBs { return ref.mix(t, top, top, top-2) },
			pre: [3]int64{top, top, top - 2}, wantHeight: top, wantReplayed: 2},
		{name: "store=state, app empty", dbs: func(t *testing.T) nodeDBs { return ref.mix(t, top, top, -1) },
			pre: [3]int64{top, top, 0}, wantHeight: top, wantReplayed: top},
		{name: "store=state, app behind on another chain", dbs: func(t *testing.T) nodeDBs {
			dbs := ref.mix(t, top, top, top)
			dbs.app = copyDB(t, other.snaps[top-2].app)
			return dbs
		}, pre: [3]int64{top, top, top - 2}, wantErr: ErrAppHashMismatch,
			wantErrText: fmt.Sprintf("app hash mismatch at height %d: block %d carries", top-1, top)},
		{name: "store=state+1, app=state (crash before FinalizeBlock)", dbs: func(t *testing.T) nodeDBs {
			return ref.crashDuring(t, top, nil)
		}, pre: [3]int64{top, top - 1, top - 1}, wantHeight: top, wantReplayed: 1, wantEvents: true},
		{name: "store=state+1, app=state (crash before the response is saved)", dbs: func(t *testing.T) nodeDBs {
			return ref.crashDuring(t, top, func(n *testNode) { n.store.failResponseAt = top })
		}, pre: [3]int64{top, top - 1, top - 1}, wantHeight: top, wantReplayed: 1, wantEvents: true},
		{name: "store=state+1, app=state (crash before Commit)", dbs: func(t *testing.T) nodeDBs {
			return ref.crashDuring(t, top, func(n *testNode) { n.app.failCommitAt = top })
		}, pre: [3]int64{top, top - 1, top - 1}, wantHeight: top, wantReplayed: 1, wantEvents: true},
		{name: "store=state+1, app=store (crash after Commit, state not saved)", dbs: func(t *testing.T) nodeDBs {
			return ref.crashDuring(t, top, func(n *testNode) { n.store.failSaveAt = top })
		}, pre: [3]int64{top, top - 1, top}, wantHeight: top, wantReplayed: 0, wantEvents: true}, // the saved response stands in for the app
		{name: "store=state+1, app behind", dbs: func(t *testing.T) nodeDBs { return ref.mix(t, top-1, top, top-3) },
			pre: [3]int64{top, top - 1, top - 3}, wantHeight: top, wantReplayed: 3, wantEvents: true},
		{name: "store=state+1, app empty", dbs: func(t *testing.T) nodeDBs { return ref.mix(t, top-1, top, -1) },
			pre: [3]int64{top, top - 1, 0}, wantHeight: top, wantReplayed: top, wantEvents: true},
		{name: "app ahead of store", dbs: func(t *testing.T) nodeDBs { return ref.mix(t, top-1, top-1, top) },
			pre: [3]int64{top - 1, top - 1, top}, wantErr: ErrAppBlockHeightTooHigh,
			wantErrText: fmt.Sprintf("the application is at height %d, the block store at height %d", top, top-1)},
		{name: "state ahead of store", dbs: func(t *testing.T) nodeDBs { return ref.mix(t, top, top-1, top-1) },
			pre: [3]int64{top - 1, top, top - 1}, wantErr: ErrStoresInconsistent},
		{name: "store two blocks ahead of state", dbs: func(t *testing.T) nodeDBs { return ref.mix(t, top-2, top, top-2) },
			pre: [3]int64{top, top - 2, top - 2}, wantErr: ErrStoresInconsistent},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { runHandshakeCase(t, ref, tc) })
	}
}

func TestHandshakePrunedStore(t *testing.T) {
	cfg := chainConfig{validators: fourVals, appOpts: kvstore.Options{RetainBlocks: 2}}
	ref := buildRefChain(t, cfg, 7, 1) // after block 6 the base is 5
	cases := []handshakeCase{
		{name: "app empty, store pruned above the initial height", dbs: func(t *testing.T) nodeDBs { return ref.mix(t, 6, 6, -1) },
			pre: [3]int64{6, 6, 0}, wantErr: ErrAppBlockHeightTooLow,
			wantErrText: "the application has no state, but the block store starts at height 5, above the initial height 1"},
		{name: "app below base-1", dbs: func(t *testing.T) nodeDBs { return ref.mix(t, 6, 6, 3) },
			pre: [3]int64{6, 6, 3}, wantErr: ErrAppBlockHeightTooLow,
			wantErrText: "the application is at height 3, but the block store starts at height 5"},
		{name: "app at base-1", dbs: func(t *testing.T) nodeDBs { return ref.mix(t, 6, 6, 4) },
			pre: [3]int64{6, 6, 4}, wantHeight: 6, wantReplayed: 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { runHandshakeCase(t, ref, tc) })
	}
}

func TestHandshakeInitialHeight(t *testing.T) {
	cfg := chainConfig{validators: fourVals, initialHeight: 10}
	ref := buildRefChain(t, cfg, 4, 2) // heights 10..13
	for _, tc := range []handshakeCase{
		{name: "store=state, app empty", dbs: func(t *testing.T) nodeDBs { return ref.mix(t, 12, 12, -1) },
			pre: [3]int64{12, 12, 0}, wantHeight: 12, wantReplayed: 3},
		{name: "store=state+1, app empty", dbs: func(t *testing.T) nodeDBs { return ref.mix(t, 11, 12, -1) },
			pre: [3]int64{12, 11, 0}, wantHeight: 12, wantReplayed: 3, wantEvents: true},
		{name: "first block saved, not applied", dbs: func(t *testing.T) nodeDBs { return ref.mix(t, 0, 10, 0) },
			pre: [3]int64{10, 0, 0}, wantHeight: 10, wantReplayed: 1, wantEvents: true},
	} {
		t.Run(tc.name, func(t *testing.T) { runHandshakeCase(t, ref, tc) })
	}
}

// runHandshakeCase restarts a node on the case's databases, checks the heights it starts from,
// runs the handshake and checks the outcome: the error, or a node whose block store, state and
// app agree on the reference chain's height and app hash, whose second handshake changes
// nothing, and which continues the reference chain.
func runHandshakeCase(t *testing.T, ref refChain, tc handshakeCase) {
	dbs := tc.dbs(t)
	n := newTestNode(t, ref.cfg, dbs)
	appHeight, _ := n.appInfo()
	if got := [3]int64{n.blocks.Height(), n.state.LastBlockHeight, appHeight}; got != tc.pre {
		t.Fatalf("before the handshake store/state/app heights are %v, want %v", got, tc.pre)
	}
	n.events.take()

	err := n.handshake()
	if tc.wantErr != nil {
		if !errors.Is(err, tc.wantErr) || !strings.Contains(err.Error(), tc.wantErrText) {
			t.Fatalf("handshake error %v, want %v containing %q", err, tc.wantErr, tc.wantErrText)
		}
		return
	}
	if err != nil {
		t.Fatalf("handshake: %v", err)
	}
	checkSynced(t, n, ref, tc.wantHeight)
	_, finalizes := n.app.calls()
	if finalizes != tc.wantReplayed {
		t.Errorf("the handshake executed %d blocks on the app, want %d", finalizes, tc.wantReplayed)
	}
	events := n.events.take()
	if applied := slices.ContainsFunc(events, func(e string) bool {
		return strings.HasPrefix(e, fmt.Sprintf("NewBlock %d ", tc.wantHeight))
	}); applied != tc.wantEvents {
		t.Errorf("events of block %d published: %v, want %v (%q)", tc.wantHeight, applied, tc.wantEvents, events)
	}

	// A second start finds everything synced.
	again := newTestNode(t, ref.cfg, dbs)
	if err := again.handshake(); err != nil {
		t.Fatalf("second handshake: %v", err)
	}
	inits, finalizes := again.app.calls()
	if finalizes != 0 || (tc.wantHeight > 0 && inits != 0) {
		t.Fatalf("second handshake called InitChain %d and FinalizeBlock %d times", inits, finalizes)
	}
	checkSynced(t, again, ref, tc.wantHeight)

	// The node continues the reference chain.
	next := again.state.nextHeight()
	if want, ok := ref.states[next]; ok {
		again.commitBlock(txsOf(next, len(mustBlockTxs(t, ref, next)))...)
		if !again.state.Equals(want) {
			t.Fatalf("block %d after recovery leads to another state than the reference chain", next)
		}
	}
}

// checkSynced checks that the node's block store, state (returned and saved) and app are at
// height with the reference chain's state.
func checkSynced(t *testing.T, n *testNode, ref refChain, height int64) {
	t.Helper()
	appHeight, appHash := n.appInfo()
	storeHeight := n.blocks.Height()
	if n.state.LastBlockHeight == 0 {
		storeHeight = 0 // an empty store; the state of the initial height has LastBlockHeight 0
	}
	if n.state.LastBlockHeight != height || storeHeight != height || appHeight != max(height, 0) {
		t.Fatalf("after the handshake store/state/app heights are %d/%d/%d, want %d",
			storeHeight, n.state.LastBlockHeight, appHeight, height)
	}
	if string(appHash) != string(n.state.AppHash) {
		t.Fatalf("app hash %X, state app hash %X", appHash, []byte(n.state.AppHash))
	}
	want, ok := ref.states[height]
	if !ok {
		want = ref.states[0]
	}
	if !n.state.Equals(want) {
		t.Fatalf("state at height %d differs from the reference chain's", height)
	}
	saved, err := n.store.Load()
	if err != nil {
		t.Fatal(err)
	}
	if !saved.Equals(n.state) {
		t.Fatalf("saved state (height %d) differs from the handshake's (height %d)", saved.LastBlockHeight, n.state.LastBlockHeight)
	}
}

// mustBlockTxs returns the transactions of the reference chain's block at height.
func mustBlockTxs(t *testing.T, ref refChain, height int64) [][]byte {
	t.Helper()
	n := newTestNode(t, ref.cfg, ref.snaps[height].copy(t))
	b, err := n.blocks.LoadBlock(height)
	if err != nil {
		t.Fatal(err)
	}
	return b.Txs.ToSliceOfBytes()
}
