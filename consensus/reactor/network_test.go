package reactor

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	dbm "github.com/cometbft/cometbft-db"

	"github.com/ballot-bft/ballot/abci/appconn"
	"github.com/ballot-bft/ballot/abci/example/kvstore"
	"github.com/ballot-bft/ballot/blockstore"
	"github.com/ballot-bft/ballot/consensus"
	"github.com/ballot-bft/ballot/consensus/core"
	"github.com/ballot-bft/ballot/consensus/wal"
	"github.com/ballot-bft/ballot/crypto/ed25519"
	"github.com/ballot-bft/ballot/libs/log"
	"github.com/ballot-bft/ballot/p2p"
	"github.com/ballot-bft/ballot/p2p/p2ptest"
	"github.com/ballot-bft/ballot/privval"
	"github.com/ballot-bft/ballot/state"
	"github.com/ballot-bft/ballot/types"
)

// testNet is a chain of validators, each a real consensus driver with the in-process kvstore and
// in-memory stores, gossiping through this reactor over real switches on a p2ptest.MemNetwork.
// Run it inside a synctest bubble: consensus timeouts then pass on the bubble's clock.
type testNet struct {
	t       *testing.T
	chainID string
	gen     *types.GenesisDoc
	genHash []byte
	keys    []ed25519.PrivKey
	mem     *p2ptest.MemNetwork
}

func newTestNet(t *testing.T, validators int) *testNet {
	t.Helper()
	n := &testNet{t: t, chainID: p2ptest.DefaultNetwork, mem: p2ptest.NewMemNetwork()}
	var gvals []types.GenesisValidator
	for i := range validators {
		key := ed25519.GenPrivKeyFromSecret(fmt.Appendf(nil, "validator-%d", i))
		n.keys = append(n.keys, key)
		gvals = append(gvals, types.GenesisValidator{Address: key.PubKey().Address(), PubKey: key.PubKey(), Power: 10})
	}
	n.gen = &types.GenesisDoc{
		ChainID:         n.chainID,
		GenesisTime:     time.Now(), // the bubble's clock
		ConsensusParams: types.DefaultConsensusParams(),
		Validators:      gvals,
	}
	if err := n.gen.ValidateAndComplete(); err != nil {
		t.Fatal(err)
	}
	n.genHash = types.GenesisHash([]byte("genesis of " + n.chainID))
	return n
}

// testNode is one running validator.
type testNode struct {
	index   int
	sw      *p2p.PeerSwitch
	stops   *stopRecorder
	reactor *Reactor
	driver  *consensus.Driver
	blocks  *blockstore.BlockStore
}

// stopRecorder is the switch as the reactor sees it, reporting the peers the reactor stops.
type stopRecorder struct {
	*p2p.PeerSwitch
	stopped chan error
}

func (s *stopRecorder) StopPeerForError(peer p2p.Peer, err error) {
	s.stopped <- err
	s.PeerSwitch.StopPeerForError(peer, err)
}

// start builds validator i and runs it (switch, reactor, application, driver) until the test
// ends. It is not yet connected to anyone.
func (n *testNet) start(i int) *testNode {
	t := n.t
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	run := func(name string, f func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(ctx); err != nil && ctx.Err() == nil {
				t.Errorf("node %d: %s: %v", i, name, err)
			}
		}()
	}
	var closeAfterStop []func() error // run once every goroutine of the node has ended
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		for _, c := range closeAfterStop {
			c()
		}
	})

	stateStore := state.NewStore(dbm.NewMemDB(), state.StoreOptions{})
	st, err := state.LoadStateFromDBOrGenesisDoc(stateStore, n.gen, n.genHash)
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := blockstore.New(dbm.NewMemDB())
	if err != nil {
		t.Fatal(err)
	}
	conns, err := appconn.NewConns(appconn.NewLocalCreator(kvstore.NewInMemoryApplication(kvstore.Options{})), log.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	run("application", conns.Run)
	<-conns.Connected()
	if st, err = state.NewHandshaker(stateStore, st, blocks, n.gen, nil, log.NewNop()).Handshake(ctx, conns); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	walLog, err := wal.Open(filepath.Join(dir, "cs.wal", "wal"), wal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	closeAfterStop = append(closeAfterStop, walLog.Close) // the driver writes it until it stops

	r, err := New(Config{PeerQueryMaj23SleepDuration: 2 * time.Second, DeliverTimeout: 10 * time.Second},
		Deps{BlockStore: blocks, InitialHeight: n.gen.InitialHeight, Seed: uint64(i)})
	if err != nil {
		t.Fatal(err)
	}
	sw := p2ptest.MakeSwitch(t, i, func(_ int, sw *p2p.PeerSwitch) { sw.AddReactor("CONSENSUS", r) },
		p2ptest.WithMemNetwork(n.mem), p2ptest.WithNetwork(n.chainID))
	stops := &stopRecorder{PeerSwitch: sw, stopped: make(chan error, 16)}
	r.SetSwitch(stops)

	pv := privval.NewFilePV(n.keys[i], filepath.Join(dir, "key.json"), filepath.Join(dir, "state.json"))
	driver := consensus.NewDriver(consensus.Config{Core: core.Config{
		TimeoutPropose: 3 * time.Second, TimeoutProposeDelta: 500 * time.Millisecond,
		TimeoutPrevote: time.Second, TimeoutPrevoteDelta: 500 * time.Millisecond,
		TimeoutPrecommit: time.Second, TimeoutPrecommitDelta: 500 * time.Millisecond,
		TimeoutCommit: time.Second, CreateEmptyBlocks: true,
	}}, st, consensus.Deps{
		Signer:     pv,
		Executor:   state.NewBlockExecutor(stateStore, nil, conns.Consensus(), nil, nil, blocks),
		BlockStore: blocks,
		WAL:        walLog,
		Gossip:     r,
	})
	run("reactor", r.Run)
	r.SwitchToConsensus(driver)
	run("driver", driver.Run)
	p2ptest.Start(t, sw)
	return &testNode{index: i, sw: sw, stops: stops, reactor: r, driver: driver, blocks: blocks}
}

// waitHeight waits, on the driver's snapshots, until node has committed height; the test fails if
// that takes longer than bound on the bubble's clock.
func waitHeight(t *testing.T, node *testNode, height int64, bound time.Duration) {
	t.Helper()
	deadline := time.After(bound)
	for {
		snap := node.driver.Snapshot()
		if snap.State.LastBlockHeight >= height {
			return
		}
		select {
		case <-snap.Changed:
		case <-deadline:
			t.Fatalf("node %d: height %d not committed within %v (at %v)", node.index, height, bound, snap.HRS)
		}
	}
}

// sameChain checks that the nodes hold the same blocks up to height.
func sameChain(t *testing.T, nodes []*testNode, height int64) {
	t.Helper()
	for h := int64(1); h <= height; h++ {
		var want types.BlockID
		for i, node := range nodes {
			meta, err := node.blocks.LoadBlockMeta(h)
			if err != nil {
				t.Fatalf("node %d: block %d: %v", node.index, h, err)
			}
			if i == 0 {
				want = meta.BlockID
			} else if !meta.BlockID.Equals(want) {
				t.Fatalf("block %d: node %d has %v, node %d has %v", h, nodes[0].index, want, node.index, meta.BlockID)
			}
		}
	}
}

// noPeerStopped checks that no honest node disconnected another.
func noPeerStopped(t *testing.T, nodes []*testNode) {
	t.Helper()
	for _, node := range nodes {
		select {
		case err := <-node.stops.stopped:
			t.Errorf("node %d stopped an honest peer: %v", node.index, err)
		default:
		}
	}
}

func connectAll(t *testing.T, nodes []*testNode) {
	t.Helper()
	for i := range nodes {
		for j := i + 1; j < len(nodes); j++ {
			p2ptest.Connect(t, nodes[i].sw, nodes[j].sw)
		}
	}
}

// Four validators connected through real switches commit ten heights, the same blocks on each.
func TestFourValidatorsCommitTenHeights(t *testing.T) {
	synctestRun(t, func(t *testing.T) {
		net := newTestNet(t, 4)
		var nodes []*testNode
		for i := range 4 {
			nodes = append(nodes, net.start(i))
		}
		connectAll(t, nodes)
		start := time.Now()
		for _, node := range nodes {
			waitHeight(t, node, 10, 10*time.Minute)
		}
		sameChain(t, nodes, 10)
		noPeerStopped(t, nodes)
		// timeout_commit is 1 s: ten heights without a failed round take about 10 s.
		t.Logf("10 heights in %v of the bubble's clock; node 0 at %v", time.Since(start), nodes[0].driver.Snapshot().HRS)
	})
}

// A validator that joins late catches up from the others' block stores (stored parts and commits
// gossiped by this reactor) and then takes part in the next heights.
func TestLateValidatorCatchesUp(t *testing.T) {
	synctestRun(t, func(t *testing.T) {
		net := newTestNet(t, 4)
		var nodes []*testNode
		for i := range 3 {
			nodes = append(nodes, net.start(i))
		}
		connectAll(t, nodes)
		waitHeight(t, nodes[0], 6, 10*time.Minute)

		late := net.start(3)
		for _, node := range nodes {
			p2ptest.Connect(t, late.sw, node.sw)
		}
		behind := nodes[0].driver.Snapshot().State.LastBlockHeight
		start := time.Now()
		waitHeight(t, late, behind, 10*time.Minute)
		t.Logf("the late node caught up %d heights in %v of the bubble's clock", behind, time.Since(start))
		target := behind + 3
		nodes = append(nodes, late)
		for _, node := range nodes {
			waitHeight(t, node, target, 10*time.Minute)
		}
		sameChain(t, nodes, target)
		noPeerStopped(t, nodes)
	})
}

// A peer that sends a malformed vote, or a vote with a bad signature, is disconnected.
func TestInvalidVoteDisconnects(t *testing.T) {
	synctestRun(t, func(t *testing.T) {
		net := newTestNet(t, 4)
		honest := net.start(0)
		vals, err := types.NewValidatorSet(validatorsOf(net.gen))
		if err != nil {
			t.Fatal(err)
		}
		idx := int32(1)
		signer := vals.Validators[idx]

		malformed := &types.Vote{Type: types.PrevoteType, Height: 1, Round: 0, ValidatorAddress: signer.Address, ValidatorIndex: idx, Timestamp: time.Now()}
		badSignature := malformed.Copy()
		badSignature.Signature = make([]byte, 64)

		for k, tc := range []struct {
			vote *types.Vote
			want error
		}{{malformed, ErrInvalidMessage}, {badSignature, errRejected}} {
			rec := p2ptest.NewRecorderOn((&Reactor{}).Channels()...)
			bad := p2ptest.MakeSwitch(t, 10+k, func(_ int, sw *p2p.PeerSwitch) { sw.AddReactor("CONSENSUS", rec) },
				p2ptest.WithMemNetwork(net.mem), p2ptest.WithNetwork(net.chainID))
			p2ptest.Start(t, bad)
			p2ptest.Connect(t, bad, honest.sw)
			peer := <-rec.Added
			peer.Send(p2p.Envelope{ChannelID: VoteChannel, Message: voteMessage{Vote: tc.vote}.toProto()})
			if err := <-honest.stops.stopped; !errors.Is(err, tc.want) {
				t.Fatalf("vote %d: the peer was stopped for %v, want %v", k, err, tc.want)
			}
			p2ptest.WaitForNoPeer(t, honest.sw, bad.NodeInfo().ID)
			<-rec.Removed
		}
	})
}

func validatorsOf(gen *types.GenesisDoc) []*types.Validator {
	var out []*types.Validator
	for _, gv := range gen.Validators {
		out = append(out, types.NewValidator(gv.PubKey, gv.Power))
	}
	return out
}

// synctestRun runs f in a synctest bubble.
func synctestRun(t *testing.T, f func(t *testing.T)) { synctest.Test(t, f) }
