package blocksync

import (
	"context"
	"fmt"
	"testing"
	"time"

	dbm "github.com/cometbft/cometbft-db"

	"github.com/ballot-bft/ballot/abci/appconn"
	"github.com/ballot-bft/ballot/abci/example/kvstore"
	"github.com/ballot-bft/ballot/blockstore"
	"github.com/ballot-bft/ballot/crypto/ed25519"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	"github.com/ballot-bft/ballot/state"
	"github.com/ballot-bft/ballot/types"
)

// Tests build real chains: a node is the kvstore behind local app connections, the real block
// store, state store and block executor on in-memory databases. A "source" node commits blocks
// signed by the test validators; a "sink" node starts from the same genesis and syncs.

const testChainID = "blocksync-chain"

var genesisTime = time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)

func valKey(i int) ed25519.PrivKey {
	return ed25519.GenPrivKeyFromSecret(fmt.Appendf(nil, "blocksync-val-%d", i))
}

// genesis returns a genesis with n validators of power 10; extHeight enables vote extensions
// from that height (0: never).
func genesis(t testing.TB, n int, extHeight int64) *types.GenesisDoc {
	t.Helper()
	params := types.DefaultConsensusParams()
	params.ABCI.VoteExtensionsEnableHeight = extHeight
	g := &types.GenesisDoc{GenesisTime: genesisTime, ChainID: testChainID, ConsensusParams: params}
	for i := range n {
		g.Validators = append(g.Validators, types.GenesisValidator{PubKey: valKey(i).PubKey(), Power: 10, Name: fmt.Sprint("v", i)})
	}
	if err := g.ValidateAndComplete(); err != nil {
		t.Fatal(err)
	}
	return g
}

// txMempool hands the executor the transactions of the next block.
type txMempool struct{ next types.Txs }

func (m *txMempool) Lock()                                               {}
func (m *txMempool) Unlock()                                             {}
func (m *txMempool) FlushAppConn(context.Context) error                  { return nil }
func (m *txMempool) Update(int64, types.Txs, []*abci.ExecTxResult) error { return nil }
func (m *txMempool) ReapMaxBytesMaxGas(int64, int64) types.Txs           { return m.next }
func (m *txMempool) set(txs types.Txs)                                   { m.next = txs }

var _ state.Mempool = (*txMempool)(nil)

// chainNode is one node's stores, application and executor.
type chainNode struct {
	t       testing.TB
	genDoc  *types.GenesisDoc
	keys    map[string]ed25519.PrivKey // by address
	states  *state.DBStore
	blocks  *blockstore.BlockStore
	conns   *appconn.Conns
	mempool *txMempool
	exec    *state.BlockExecutor
	st      state.State
	lastExt *types.ExtendedCommit
}

// newChainNode starts a node on fresh databases for genDoc (the handshake runs InitChain).
func newChainNode(t testing.TB, genDoc *types.GenesisDoc, nKeys int) *chainNode {
	t.Helper()
	n := &chainNode{t: t, genDoc: genDoc, keys: map[string]ed25519.PrivKey{}, mempool: &txMempool{}}
	for i := range nKeys {
		k := valKey(i)
		n.keys[string(k.PubKey().Address())] = k
	}
	n.states = state.NewStore(dbm.NewMemDB(), state.StoreOptions{})
	bs, err := blockstore.New(dbm.NewMemDB())
	if err != nil {
		t.Fatal(err)
	}
	n.blocks = bs
	if n.conns, err = appconn.NewConns(appconn.NewLocalCreator(kvstore.NewInMemoryApplication(kvstore.Options{})), nil); err != nil {
		t.Fatal(err)
	}
	n.exec = state.NewBlockExecutor(n.states, nil, n.conns.Consensus(), n.mempool, nil, n.blocks)
	st, err := state.MakeGenesisState(genDoc)
	if err != nil {
		t.Fatal(err)
	}
	if n.st, err = state.NewHandshaker(n.states, st, n.blocks, genDoc, nil, nil).Handshake(context.Background(), n.conns); err != nil {
		t.Fatal(err)
	}
	return n
}

// commitTime is when the validators precommit the block at height.
func commitTime(height int64) time.Time { return genesisTime.Add(time.Duration(height) * time.Second) }

// signCommit returns the extended commit of blockID at height signed by every validator of
// the node's state, with (empty) extensions when they are enabled at height.
func (n *chainNode) signCommit(height int64, blockID types.BlockID) *types.ExtendedCommit {
	t := n.t
	t.Helper()
	extEnabled := n.st.ConsensusParams.ABCI.VoteExtensionsEnabled(height)
	ec := &types.ExtendedCommit{Height: height, BlockID: blockID}
	for i, v := range n.st.Validators.Validators {
		key := n.keys[string(v.Address)]
		vote := &types.Vote{Type: types.PrecommitType, Height: height, BlockID: blockID,
			Timestamp: commitTime(height), ValidatorAddress: v.Address, ValidatorIndex: int32(i)}
		var err error
		if vote.Signature, err = key.Sign(vote.SignBytes(testChainID)); err != nil {
			t.Fatal(err)
		}
		if extEnabled {
			if vote.ExtensionSignature, err = key.Sign(vote.ExtensionSignBytes(testChainID)); err != nil {
				t.Fatal(err)
			}
		}
		ec.ExtendedSignatures = append(ec.ExtendedSignatures, vote.ExtendedCommitSig())
	}
	return ec
}

// commit proposes, signs, saves and executes the next block, with transactions "k<h>-<i>=v".
func (n *chainNode) commit() *types.Block {
	t := n.t
	t.Helper()
	ctx := context.Background()
	height := n.st.LastBlockHeight + 1
	n.mempool.set(types.Txs{types.Tx(fmt.Sprintf("k%d-0=v", height)), types.Tx(fmt.Sprintf("k%d-1=v", height))})
	block, parts, err := n.exec.CreateProposalBlock(ctx, height, n.st, n.lastExt, n.st.Validators.GetProposer().Address)
	if err != nil {
		t.Fatalf("height %d: %v", height, err)
	}
	id := types.BlockID{Hash: block.Hash(), PartSetHeader: parts.Header()}
	ec := n.signCommit(height, id)
	if n.st.ConsensusParams.ABCI.VoteExtensionsEnabled(height) {
		err = n.blocks.SaveBlockWithExtendedCommit(block, parts, ec)
	} else {
		err = n.blocks.SaveBlock(block, parts, ec.ToCommit())
	}
	if err != nil {
		t.Fatal(err)
	}
	if n.st, err = n.exec.ApplyVerifiedBlock(ctx, n.st, id, block); err != nil {
		t.Fatalf("height %d: %v", height, err)
	}
	n.lastExt = ec
	return block
}

// commitN commits count blocks.
func (n *chainNode) commitN(count int) {
	n.t.Helper()
	for range count {
		n.commit()
	}
}

// builtChains caches source chains by (validators, blocks, extension height): building one
// signs every block, which is slow under the race detector.
var builtChains = map[string]*chainNode{}

// sourceChain returns a node that has committed blocks blocks of a chain with vals validators.
// The node is shared between tests: they only read it.
func sourceChain(t testing.TB, vals, blocks int, extHeight int64) *chainNode {
	t.Helper()
	key := fmt.Sprint(vals, "/", blocks, "/", extHeight)
	if n, ok := builtChains[key]; ok {
		return n
	}
	n := newChainNode(t, genesis(t, vals, extHeight), vals)
	n.commitN(blocks)
	builtChains[key] = n
	return n
}

// checkSynced fails unless sink's stores and state match the source's up to sink's height.
func checkSynced(t testing.TB, source, sink *chainNode, st state.State) {
	t.Helper()
	h := st.LastBlockHeight
	if sink.blocks.Height() != h {
		t.Fatalf("sink store height %d, state height %d", sink.blocks.Height(), h)
	}
	for height := int64(1); height <= h; height++ {
		want, err := source.blocks.LoadBlockMeta(height)
		if err != nil {
			t.Fatal(err)
		}
		got, err := sink.blocks.LoadBlockMeta(height)
		if err != nil {
			t.Fatalf("sink lacks block %d: %v", height, err)
		}
		if !got.BlockID.Equals(want.BlockID) {
			t.Fatalf("block %d: sink has %v, source %v", height, got.BlockID, want.BlockID)
		}
	}
	next, err := source.blocks.LoadBlockMeta(h + 1)
	if err != nil {
		t.Fatal(err)
	}
	if string(st.AppHash) != string(next.Header.AppHash) {
		t.Fatalf("sink app hash %X after %d, source block %d says %X", st.AppHash, h, h+1, next.Header.AppHash)
	}
	saved, err := sink.states.Load()
	if err != nil || saved.LastBlockHeight != h {
		t.Fatalf("sink saved state at %d (%v), want %d", saved.LastBlockHeight, err, h)
	}
	info, err := sink.conns.Query().Info(context.Background(), &abci.RequestInfo{})
	if err != nil || info.LastBlockHeight != h {
		t.Fatalf("sink app at height %d (%v), want %d", info.LastBlockHeight, err, h)
	}
}
