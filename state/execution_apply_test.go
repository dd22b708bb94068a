package state

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/ballot-bft/ballot/abci/example/kvstore"
	"github.com/ballot-bft/ballot/crypto/secp256k1"
	"github.com/ballot-bft/ballot/libs/pubsub/query"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
	"github.com/ballot-bft/ballot/types"
)

func TestApplyBlockCallOrder(t *testing.T) {
	n := startTestNode(t, chainConfig{validators: fourVals}, newNodeDBs())
	n.log.take()
	n.commitBlock(txsOf(1, 2)...)
	want := []string{
		"app.PrepareProposal 1", "app.ProcessProposal 1",
		"app.FinalizeBlock 1", "store.SaveFinalizeBlockResponse 1",
		"mempool.Lock", "mempool.FlushAppConn", "app.Commit", "mempool.Update 1", "mempool.Unlock",
		"store.Save 1",
	}
	if got := n.log.take(); !slices.Equal(got, want) {
		t.Fatalf("calls:\n got %q\nwant %q", got, want)
	}
	if len(n.mempool.txs) != 0 {
		t.Fatalf("committed txs still in the mempool: %q", txStrings(n.mempool.txs))
	}
}

func TestApplyBlockSavesResultsAndState(t *testing.T) {
	n := startTestNode(t, chainConfig{validators: fourVals}, newNodeDBs())
	txs := []types.Tx{types.Tx("k=v"), types.Tx("not a tx"), types.Tx("cas:k:v:w")}
	n.app.prepare = func(req *abci.RequestPrepareProposal, _ *abci.ResponsePrepareProposal) *abci.ResponsePrepareProposal {
		return &abci.ResponsePrepareProposal{Txs: req.Txs} // keep the invalid tx
	}
	accept := abci.ResponseProcessProposal_ACCEPT
	n.app.processStatus = &accept
	block := n.commitBlock(txs...)

	resp, err := n.store.LoadFinalizeBlockResponse(1)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.TxResults) != 3 || resp.TxResults[0].Code != 0 || resp.TxResults[1].Code == 0 || resp.TxResults[2].Code != 0 {
		t.Fatalf("saved tx results %+v", resp.TxResults)
	}
	if !bytes.Equal(n.state.LastResultsHash, TxResultsHash(resp.TxResults)) {
		t.Fatal("state last_results_hash is not the hash of the saved results")
	}
	if !bytes.Equal(n.state.AppHash, resp.AppHash) {
		t.Fatal("state app hash is not FinalizeBlock's")
	}
	saved, err := n.store.Load()
	if err != nil {
		t.Fatal(err)
	}
	if !saved.Equals(n.state) || saved.LastBlockHeight != 1 || !bytes.Equal(saved.LastBlockID.Hash, block.Hash()) {
		t.Fatalf("saved state differs from the returned one: height %d", saved.LastBlockHeight)
	}
	next := n.commitBlock()
	if !bytes.Equal(next.LastResultsHash, TxResultsHash(resp.TxResults)) {
		t.Fatal("block 2 does not carry the results hash of block 1")
	}
	if !bytes.Equal(next.AppHash, resp.AppHash) {
		t.Fatal("block 2 does not carry the app hash of block 1")
	}
}

func TestApplyBlockEvents(t *testing.T) {
	n := startTestNode(t, chainConfig{validators: fourVals, extraKeys: []string{"e"}}, newNodeDBs())
	n.events.take()
	newVal := kvstore.NewValidatorTx("ed25519", execKey("e").PubKey().Bytes(), 10)
	n.commitBlock(types.Tx("x=1"), types.Tx(newVal))
	want := []string{
		"NewBlock 1 true results=2", "NewBlockHeader 1", "NewBlockEvents 1 events=0 txs=2",
		"Tx 1/0 x=1 code=0", "Tx 1/1 " + string(newVal) + " code=0",
		"ValidatorSetUpdates 1",
	}
	if got := n.events.take(); !slices.Equal(got, want) {
		t.Fatalf("events:\n got %q\nwant %q", got, want)
	}
	if len(n.events.txs[0].Result.Events) == 0 {
		t.Fatal("Tx event lacks the result's events")
	}
	if got := n.events.valUpdates[0][0]; !bytes.Equal(got.Address, execKey("e").PubKey().Address()) || got.VotingPower != 10 {
		t.Fatalf("validator update event %v", got)
	}
}

func TestValidatorUpdateTakesEffectAtHPlus2(t *testing.T) {
	n := startTestNode(t, chainConfig{validators: fourVals, extraKeys: []string{"e"}}, newNodeDBs())
	eAddr := execKey("e").PubKey().Address()
	n.commitBlock()
	tx := types.Tx(kvstore.NewValidatorTx("ed25519", execKey("e").PubKey().Bytes(), 10))
	n.commitBlock(tx) // H = 2

	if n.state.Validators.HasAddress(eAddr) {
		t.Fatal("the new validator validates H+1")
	}
	if !n.state.NextValidators.HasAddress(eAddr) || n.state.LastHeightValidatorsChanged != 4 {
		t.Fatalf("next validators lack the new one (last changed %d)", n.state.LastHeightValidatorsChanged)
	}
	b3 := n.commitBlock()
	if !bytes.Equal(b3.ValidatorsHash, n.state.LastValidators.Hash()) || n.state.LastValidators.HasAddress(eAddr) {
		t.Fatal("block 3 is validated by the new validator")
	}
	b4 := n.commitBlock()
	if !n.state.LastValidators.HasAddress(eAddr) || n.state.LastValidators.Size() != 5 {
		t.Fatal("block 4 is not validated by the new set")
	}
	vals4, err := n.store.LoadValidators(4)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b4.ValidatorsHash, vals4.Hash()) {
		t.Fatal("stored validators of height 4 do not match block 4")
	}
	n.commitBlock() // the new validator signs the commit of 4
}

func TestParamUpdateTakesEffectAtHPlus1(t *testing.T) {
	n := startTestNode(t, chainConfig{validators: fourVals}, newNodeDBs())
	n.app.finalize = func(req *abci.RequestFinalizeBlock, resp *abci.ResponseFinalizeBlock) {
		if req.Height == 2 {
			resp.ConsensusParamUpdates = &tmproto.ConsensusParams{Block: &tmproto.BlockParams{MaxBytes: 2000000, MaxGas: 7}}
		}
	}
	n.commitBlock()
	old := n.state.ConsensusParams
	n.commitBlock()

	if got := n.state.ConsensusParams.Block; got.MaxBytes != 2000000 || got.MaxGas != 7 {
		t.Fatalf("params after height 2: %+v", got)
	}
	if n.state.LastHeightConsensusParamsChanged != 3 {
		t.Fatalf("params last changed %d, want 3", n.state.LastHeightConsensusParamsChanged)
	}
	p2, err := n.store.LoadConsensusParams(2)
	if err != nil {
		t.Fatal(err)
	}
	p3, err := n.store.LoadConsensusParams(3)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(p2.Hash(), old.Hash()) || p3.Block.MaxBytes != 2000000 {
		t.Fatal("stored params by height are wrong")
	}
	b3 := n.commitBlock()
	if !bytes.Equal(b3.ConsensusHash, p3.Hash()) {
		t.Fatal("block 3 does not commit to the new params")
	}
	wantBytes, err := types.MaxDataBytes(2000000, 0, 4)
	if err != nil {
		t.Fatal(err)
	}
	if got := n.mempool.reaps[2]; got != [2]int64{wantBytes, 7} {
		t.Fatalf("block 3 reaped with %v, want [%d 7]", got, wantBytes)
	}
}

func TestApplyBlockRefusesBadValidatorKeyType(t *testing.T) {
	n := startTestNode(t, chainConfig{validators: fourVals}, newNodeDBs())
	key := secp256k1.GenPrivKey() // any valid key: the params allow only ed25519
	n.propose(types.Tx(kvstore.NewValidatorTx("secp256k1", key.PubKey().Bytes(), 10)))
	err := n.applyLast()
	if !errors.Is(err, ErrInvalidUpdate) {
		t.Fatalf("err = %v, want ErrInvalidUpdate", err)
	}
	if saved, _ := n.store.Load(); saved.LastBlockHeight != 0 {
		t.Fatal("the state was saved")
	}
}

func TestApplyBlockTxResultsMismatch(t *testing.T) {
	n := startTestNode(t, chainConfig{validators: fourVals}, newNodeDBs())
	n.app.finalize = func(_ *abci.RequestFinalizeBlock, resp *abci.ResponseFinalizeBlock) {
		resp.TxResults = resp.TxResults[:1]
	}
	n.propose(txsOf(1, 2)...)
	n.log.take()
	err := n.applyLast()
	if !errors.Is(err, ErrTxResultsMismatch) {
		t.Fatalf("err = %v, want ErrTxResultsMismatch", err)
	}
	if got := n.log.take(); !slices.Equal(got, []string{"app.FinalizeBlock 1"}) {
		t.Fatalf("calls after the bad response: %q", got)
	}
}

func TestApplyBlockCommitFailure(t *testing.T) {
	n := startTestNode(t, chainConfig{validators: fourVals}, newNodeDBs())
	n.app.failCommitAt = 1
	n.propose(txsOf(1, 1)...)
	n.log.take()
	if err := n.applyLast(); !errors.Is(err, errCrash) {
		t.Fatalf("err = %v, want the Commit failure", err)
	}
	want := []string{"app.FinalizeBlock 1", "store.SaveFinalizeBlockResponse 1",
		"mempool.Lock", "mempool.FlushAppConn", "app.Commit failed", "mempool.Unlock"}
	if got := n.log.take(); !slices.Equal(got, want) {
		t.Fatalf("calls:\n got %q\nwant %q", got, want)
	}
}

func TestApplyBlockValidatesFirst(t *testing.T) {
	n := startTestNode(t, chainConfig{validators: fourVals}, newNodeDBs())
	block, blockID := n.propose()
	bad := *block
	bad.AppHash = bytes.Repeat([]byte{7}, 32)
	_, err := n.exec.ApplyBlock(context.Background(), n.state, blockID, &bad)
	if !errors.Is(err, ErrInvalidBlock) {
		t.Fatalf("err = %v, want ErrInvalidBlock", err)
	}
	if _, fin := n.app.calls(); fin != 0 {
		t.Fatal("FinalizeBlock was called for an invalid block")
	}
}

func TestBlockTimeTolerance(t *testing.T) {
	n := startTestNode(t, chainConfig{validators: fourVals}, newNodeDBs())
	block, _ := n.propose()
	early := func() time.Time { return execGenesisTime.Add(-time.Hour) }
	exec := NewBlockExecutor(n.store, nil, n.conns.Consensus(), nil, nil, n.blocks, WithBlockTimeTolerance(early, time.Minute))
	if err := exec.ValidateBlock(n.state, block); !errors.Is(err, ErrInvalidBlock) {
		t.Fatalf("a block an hour in the future was accepted: %v", err)
	}
	onTime := func() time.Time { return execGenesisTime }
	exec = NewBlockExecutor(n.store, nil, n.conns.Consensus(), nil, nil, n.blocks, WithBlockTimeTolerance(onTime, time.Minute))
	if err := exec.ValidateBlock(n.state, block); err != nil {
		t.Fatal(err)
	}
}

func TestApplyBlockPrunes(t *testing.T) {
	n := startTestNode(t, chainConfig{validators: fourVals, appOpts: kvstore.Options{RetainBlocks: 2}}, newNodeDBs())
	for range 5 {
		n.commitBlock(types.Tx("k=v"))
	}
	// After block 5 the kvstore retains 2 blocks: retain_height 4.
	if base := n.blocks.Base(); base != 4 {
		t.Fatalf("block store base %d, want 4", base)
	}
	if _, err := n.blocks.LoadBlock(3); err == nil {
		t.Fatal("block 3 is still stored")
	}
	if _, err := n.store.LoadFinalizeBlockResponse(2); !errors.Is(err, ErrNotFound) {
		t.Fatalf("finalize response of height 2 not pruned: %v", err)
	}
	if _, err := n.store.LoadFinalizeBlockResponse(4); err != nil {
		t.Fatalf("finalize response of height 4: %v", err)
	}
	n.commitBlock()
}

func TestApplyBlockPublishesOnTheEventBus(t *testing.T) {
	bus := types.NewEventBus()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	blocks, err := bus.Subscribe(ctx, "test", types.EventQueryNewBlock, 10)
	if err != nil {
		t.Fatal(err)
	}
	txs, err := bus.Subscribe(ctx, "test", query.MustParse("tm.event = 'Tx' AND tx.height = 2"), 10)
	if err != nil {
		t.Fatal(err)
	}
	n := startTestNode(t, chainConfig{validators: fourVals}, newNodeDBs())
	n.exec.events = bus
	n.commitBlock(txsOf(1, 2)...)
	b2 := n.commitBlock(txsOf(2, 2)...)

	for h := int64(1); h <= 2; h++ {
		select {
		case msg := <-blocks.Out():
			data, ok := msg.Data().(types.EventDataNewBlock)
			if !ok || data.Block.Height != h || len(data.ResultFinalizeBlock.TxResults) != 2 {
				t.Fatalf("NewBlock %d: %#v", h, msg.Data())
			}
		default:
			t.Fatalf("no NewBlock event for height %d", h)
		}
	}
	for i := range 2 {
		select {
		case msg := <-txs.Out():
			data := msg.Data().(types.EventDataTx)
			if data.TxResult.Height != 2 || data.TxResult.Index != uint32(i) || !bytes.Equal(data.TxResult.Tx, b2.Txs[i]) {
				t.Fatalf("Tx event %d: %+v", i, data.TxResult)
			}
		default:
			t.Fatalf("no Tx event %d of height 2", i)
		}
	}
	select {
	case msg := <-txs.Out():
		t.Fatalf("unexpected Tx event %+v", msg.Data())
	default:
	}
}
