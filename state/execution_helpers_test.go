package state

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	dbm "github.com/cometbft/cometbft-db"

	"github.com/ballot-bft/ballot/abci/appconn"
	"github.com/ballot-bft/ballot/abci/example/kvstore"
	"github.com/ballot-bft/ballot/blockstore"
	"github.com/ballot-bft/ballot/crypto/ed25519"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	"github.com/ballot-bft/ballot/types"
)

// The executor and handshake tests run a chain of test validators through a BlockExecutor with
// the in-process kvstore behind a recording wrapper, a recording mempool and event publisher,
// the real block store and the DBStore, all on in-memory databases. A "crash" is an error
// injected at a chosen point; a "restart" builds every object again from the same databases.

var execGenesisTime = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

const execChainID = "exec-chain"

// execKey returns the deterministic validator key of name.
func execKey(name string) ed25519.PrivKey {
	return ed25519.GenPrivKeyFromSecret([]byte("exec-" + name))
}

// nodeDBs are a node's databases: what survives a crash.
type nodeDBs struct {
	state, blocks, app *dbm.MemDB
}

func newNodeDBs() nodeDBs {
	return nodeDBs{state: dbm.NewMemDB(), blocks: dbm.NewMemDB(), app: dbm.NewMemDB()}
}

// copyDB returns a copy of db's contents.
func copyDB(t testing.TB, db *dbm.MemDB) *dbm.MemDB {
	t.Helper()
	out := dbm.NewMemDB()
	it, err := db.Iterator(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	for ; it.Valid(); it.Next() {
		if err := out.Set(it.Key(), it.Value()); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func (d nodeDBs) copy(t testing.TB) nodeDBs {
	return nodeDBs{state: copyDB(t, d.state), blocks: copyDB(t, d.blocks), app: copyDB(t, d.app)}
}

// chainConfig describes a test chain.
type chainConfig struct {
	validators    []string // names of the genesis validators, power 10 each
	extraKeys     []string // names of validators that may join later
	params        *types.ConsensusParams
	initialHeight int64
	appState      json.RawMessage
	appOpts       kvstore.Options
}

func (c chainConfig) genesis(t testing.TB) *types.GenesisDoc {
	t.Helper()
	g := &types.GenesisDoc{GenesisTime: execGenesisTime, ChainID: execChainID, InitialHeight: c.initialHeight, ConsensusParams: c.params, AppState: c.appState}
	for _, name := range c.validators {
		g.Validators = append(g.Validators, types.GenesisValidator{PubKey: execKey(name).PubKey(), Power: 10, Name: name})
	}
	if err := g.ValidateAndComplete(); err != nil {
		t.Fatal(err)
	}
	return g
}

// testNode is one node on its databases.
type testNode struct {
	t      testing.TB
	cfg    chainConfig
	genDoc *types.GenesisDoc
	keys   map[string]ed25519.PrivKey // by address
	dbs    nodeDBs

	log     *callLog
	store   *crashStore
	blocks  *blockstore.BlockStore
	app     *recordingApp
	conns   *appconn.Conns
	mempool *recordingMempool
	events  *recordingEvents
	exec    *BlockExecutor

	state   State
	lastExt *types.ExtendedCommit
	absent  map[string]bool // names of validators that do not sign the next commits
}

// newTestNode opens a node on dbs (fresh databases for a new chain) without handshaking.
func newTestNode(t testing.TB, cfg chainConfig, dbs nodeDBs) *testNode {
	t.Helper()
	n := &testNode{t: t, cfg: cfg, genDoc: cfg.genesis(t), keys: map[string]ed25519.PrivKey{}, dbs: dbs, absent: map[string]bool{}}
	for _, name := range append(append([]string{}, cfg.validators...), cfg.extraKeys...) {
		k := execKey(name)
		n.keys[string(k.PubKey().Address())] = k
	}
	n.log = &callLog{}
	n.store = &crashStore{Store: NewStore(dbs.state, StoreOptions{}), log: n.log}
	bs, err := blockstore.New(dbs.blocks)
	if err != nil {
		t.Fatal(err)
	}
	n.blocks = bs
	n.app = newRecordingApp(t, dbs.app, cfg.appOpts, n.log)
	n.conns, err = appconn.NewConns(appconn.NewLocalCreator(n.app), nil)
	if err != nil {
		t.Fatal(err)
	}
	n.mempool = &recordingMempool{log: n.log}
	n.events = &recordingEvents{}
	n.exec = NewBlockExecutor(n.store, nil, n.conns.Consensus(), n.mempool, EmptyEvidencePool{}, n.blocks, WithEventPublisher(n.events))
	st, err := n.store.Load()
	if err != nil {
		t.Fatal(err)
	}
	if st.IsEmpty() {
		if st, err = MakeGenesisState(n.genDoc); err != nil {
			t.Fatal(err)
		}
	}
	n.state = st
	return n
}

// startTestNode opens a node on dbs and runs the handshake, which must succeed.
func startTestNode(t testing.TB, cfg chainConfig, dbs nodeDBs) *testNode {
	t.Helper()
	n := newTestNode(t, cfg, dbs)
	if err := n.handshake(); err != nil {
		t.Fatalf("handshake: %v", err)
	}
	return n
}

// handshake runs a Handshaker on the node's stores and adopts its state.
func (n *testNode) handshake() error {
	h := NewHandshaker(n.store, n.state, n.blocks, n.genDoc, n.events, nil)
	st, err := h.Handshake(context.Background(), n.conns)
	if err != nil {
		return err
	}
	n.state = st
	n.lastExt = n.loadLastExt()
	return nil
}

// loadLastExt returns the commit of the state's last block, as consensus would reconstruct it.
func (n *testNode) loadLastExt() *types.ExtendedCommit {
	h := n.state.LastBlockHeight
	if h == 0 || n.blocks.Height() < h {
		return nil
	}
	if n.state.ConsensusParams.ABCI.VoteExtensionsEnabled(h) {
		ec, err := n.blocks.LoadBlockExtendedCommit(h)
		if err != nil {
			n.t.Fatal(err)
		}
		return ec
	}
	c, err := n.blocks.LoadSeenCommit(h)
	if err != nil {
		n.t.Fatal(err)
	}
	return c.WrappedExtendedCommit()
}

// signCommit returns the extended commit of blockID at height signed by every validator of
// vals not marked absent, at time tm, with vote extensions from ExtendVote when enabled.
func (n *testNode) signCommit(height int64, blockID types.BlockID, block *types.Block, vals *types.ValidatorSet, tm time.Time) *types.ExtendedCommit {
	t := n.t
	t.Helper()
	extEnabled := n.state.ConsensusParams.ABCI.VoteExtensionsEnabled(height)
	ec := &types.ExtendedCommit{Height: height, BlockID: blockID}
	for i, v := range vals.Validators {
		key, ok := n.keys[string(v.Address)]
		if !ok {
			t.Fatalf("no key for validator %X", []byte(v.Address))
		}
		if n.absent[nameOfKey(n, v.Address)] {
			ec.ExtendedSignatures = append(ec.ExtendedSignatures, types.NewExtendedCommitSigAbsent())
			continue
		}
		vote := &types.Vote{
			Type: types.PrecommitType, Height: height, BlockID: blockID, Timestamp: tm,
			ValidatorAddress: v.Address, ValidatorIndex: int32(i),
		}
		var err error
		if vote.Signature, err = key.Sign(vote.SignBytes(execChainID)); err != nil {
			t.Fatal(err)
		}
		if extEnabled {
			if vote.Extension, err = n.exec.ExtendVote(context.Background(), vote, block, n.state); err != nil {
				t.Fatal(err)
			}
			if vote.ExtensionSignature, err = key.Sign(vote.ExtensionSignBytes(execChainID)); err != nil {
				t.Fatal(err)
			}
		}
		ec.ExtendedSignatures = append(ec.ExtendedSignatures, vote.ExtendedCommitSig())
	}
	return ec
}

func nameOfKey(n *testNode, addr []byte) string {
	for _, name := range append(append([]string{}, n.cfg.validators...), n.cfg.extraKeys...) {
		if string(execKey(name).PubKey().Address()) == string(addr) {
			return name
		}
	}
	return ""
}

// commitTime is the time the validators precommit block height at.
func commitTime(height int64) time.Time {
	return execGenesisTime.Add(time.Duration(height) * time.Second)
}

// propose builds, checks and saves the next block with the given mempool transactions, without
// executing it. It returns the block and its ID.
func (n *testNode) propose(txs ...types.Tx) (*types.Block, types.BlockID) {
	t := n.t
	t.Helper()
	ctx := context.Background()
	n.mempool.add(txs...)
	height := n.state.nextHeight()
	proposer := n.state.Validators.GetProposer().Address
	block, parts, err := n.exec.CreateProposalBlock(ctx, height, n.state, n.lastExt, proposer)
	if err != nil {
		t.Fatalf("height %d: create proposal block: %v", height, err)
	}
	if err := n.exec.ValidateBlock(n.state, block); err != nil {
		t.Fatalf("height %d: own proposal invalid: %v", height, err)
	}
	ok, err := n.exec.ProcessProposal(ctx, block, n.state)
	if err != nil || !ok {
		t.Fatalf("height %d: process proposal: %v %v", height, ok, err)
	}
	blockID := types.BlockID{Hash: block.Hash(), PartSetHeader: parts.Header()}
	ec := n.signCommit(height, blockID, block, n.state.Validators, commitTime(height))
	if n.state.ConsensusParams.ABCI.VoteExtensionsEnabled(height) {
		err = n.blocks.SaveBlockWithExtendedCommit(block, parts, ec)
	} else {
		err = n.blocks.SaveBlock(block, parts, ec.ToCommit())
	}
	if err != nil {
		t.Fatalf("height %d: save block: %v", height, err)
	}
	return block, blockID
}

// applyLast executes the block at the block store's height on the node's state.
func (n *testNode) applyLast() error {
	n.t.Helper()
	height := n.blocks.Height()
	block, err := n.blocks.LoadBlock(height)
	if err != nil {
		n.t.Fatal(err)
	}
	meta, err := n.blocks.LoadBlockMeta(height)
	if err != nil {
		n.t.Fatal(err)
	}
	next, err := n.exec.ApplyVerifiedBlock(context.Background(), n.state, meta.BlockID, block)
	if err != nil {
		return err
	}
	n.state = next
	n.lastExt = n.loadLastExt()
	return nil
}

// commitBlock proposes, saves and executes the next block.
func (n *testNode) commitBlock(txs ...types.Tx) *types.Block {
	n.t.Helper()
	block, _ := n.propose(txs...)
	if err := n.applyLast(); err != nil {
		n.t.Fatalf("height %d: apply: %v", block.Height, err)
	}
	return block
}

// appInfo returns the application's height and app hash.
func (n *testNode) appInfo() (int64, []byte) {
	n.t.Helper()
	info, err := n.conns.Query().Info(context.Background(), &abci.RequestInfo{})
	if err != nil {
		n.t.Fatal(err)
	}
	return info.LastBlockHeight, info.LastBlockAppHash
}

// txsOf returns the transactions key<h>-<i>=v for height h.
func txsOf(height int64, n int) []types.Tx {
	out := make([]types.Tx, n)
	for i := range out {
		out[i] = types.Tx(fmt.Sprintf("key%d-%d=v%d", height, i, i))
	}
	return out
}
