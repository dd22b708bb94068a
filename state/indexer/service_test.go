package indexer_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/ballot-bft/ballot/libs/pubsub/query"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	"github.com/ballot-bft/ballot/state/indexer"
	blocknull "github.com/ballot-bft/ballot/state/indexer/block/null"
	"github.com/ballot-bft/ballot/state/txindex"
	txnull "github.com/ballot-bft/ballot/state/txindex/null"
	"github.com/ballot-bft/ballot/types"
)

// TestServiceLive indexes blocks published on a real event bus while RPC-style searches run
// concurrently.
func TestServiceLive(t *testing.T) {
	bus := types.NewEventBus()
	ix := newIndexers()
	s := newStores()
	svc, stop := runService(t, indexer.ServiceConfig{TxIndexer: ix.txs, BlockIndexer: ix.blocks, EventBus: bus})

	searchCtx, endSearch := context.WithCancel(context.Background())
	var searching sync.WaitGroup
	searching.Add(1)
	go func() {
		defer searching.Done()
		q := query.MustParse("app.n >= 0")
		for searchCtx.Err() == nil {
			if _, _, err := ix.txs.Search(searchCtx, q, txindex.SearchOptions{}); err != nil && searchCtx.Err() == nil {
				t.Errorf("concurrent search: %v", err)
				return
			}
			if _, err := ix.blocks.Search(searchCtx, query.MustParse("end.height > 0")); err != nil && searchCtx.Err() == nil {
				t.Errorf("concurrent block search: %v", err)
				return
			}
		}
	}()

	for h := int64(1); h <= 8; h++ {
		s.commit(h, false)
		s.publish(t, bus, h)
	}
	if err := svc.WaitFor(context.Background(), 8); err != nil {
		t.Fatal(err)
	}
	endSearch()
	searching.Wait()
	for h := int64(1); h <= 8; h++ {
		ix.checkIndexed(t, s, h)
	}
	_, total, err := ix.txs.Search(context.Background(), query.MustParse("app.n >= 0"), txindex.SearchOptions{})
	if err != nil || total != 9 { // heights 1..8 carry 1,2,0,1,2,0,1,2 txs
		t.Errorf("all txs: %d, %v", total, err)
	}
	if err := stop(); err != nil {
		t.Errorf("Run: %v", err)
	}
}

// TestServiceCatchUp restarts on an index that stopped at height 2, with height 5 torn (its
// transactions written, its block marker not): Run indexes 3..6 from the stores before live
// events, and live indexing goes on at 7.
func TestServiceCatchUp(t *testing.T) {
	bus := types.NewEventBus()
	ix := newIndexers()
	s := newStores()
	for h := int64(1); h <= 6; h++ {
		s.commit(h, false)
	}
	if err := indexer.Reindex(context.Background(), 1, 2, s, s, ix.txs, ix.blocks); err != nil {
		t.Fatal(err)
	}
	torn := txindex.NewBatch(0)
	for i, tx := range s.blocks[5].Txs {
		torn.Ops = append(torn.Ops, &abci.TxResult{Height: 5, Index: uint32(i), Tx: tx, Result: *s.resps[5].TxResults[i]})
	}
	if err := ix.txs.AddBatch(torn); err != nil {
		t.Fatal(err)
	}

	svc, stop := runService(t, indexer.ServiceConfig{
		TxIndexer: ix.txs, BlockIndexer: ix.blocks, EventBus: bus, Blocks: s, Results: s,
	})
	if got := svc.Height(); got != 6 {
		t.Errorf("height after catch-up %d, want 6", got)
	}
	for h := int64(1); h <= 6; h++ {
		ix.checkIndexed(t, s, h)
	}
	s.commit(7, false)
	s.publish(t, bus, 7)
	if err := svc.WaitFor(context.Background(), 7); err != nil {
		t.Fatal(err)
	}
	ix.checkIndexed(t, s, 7)
	if err := stop(); err != nil {
		t.Errorf("Run: %v", err)
	}
}

// TestServiceCatchUpStops checks that a height whose response is missing ends the catch-up
// there, and that live events above it are indexed.
func TestServiceCatchUpStops(t *testing.T) {
	bus := types.NewEventBus()
	ix := newIndexers()
	s := newStores()
	for h := int64(1); h <= 5; h++ {
		s.commit(h, false)
	}
	resp4 := s.resps[4]
	delete(s.resps, 4)
	svc, stop := runService(t, indexer.ServiceConfig{
		TxIndexer: ix.txs, BlockIndexer: ix.blocks, EventBus: bus, Blocks: s, Results: s,
	})
	if got := svc.Height(); got != 3 {
		t.Errorf("height after catch-up %d, want 3", got)
	}
	if ok, _ := ix.blocks.Has(4); ok {
		t.Error("height 4 indexed without its response")
	}
	s.resps[4] = resp4
	s.publish(t, bus, 4) // committed live after all: indexed
	if err := svc.WaitFor(context.Background(), 4); err != nil {
		t.Fatal(err)
	}
	ix.checkIndexed(t, s, 4)
	if err := stop(); err != nil {
		t.Errorf("Run: %v", err)
	}
}

// TestServiceMissingTxEvent checks that a block whose Tx events did not all arrive is indexed
// from the stores when the next block shows up, and left alone without stores.
func TestServiceMissingTxEvent(t *testing.T) {
	for _, withStores := range []bool{true, false} {
		t.Run(fmt.Sprintf("stores=%v", withStores), func(t *testing.T) {
			bus := types.NewEventBus()
			ix := newIndexers()
			s := newStores()
			cfg := indexer.ServiceConfig{TxIndexer: ix.txs, BlockIndexer: ix.blocks, EventBus: bus}
			if withStores {
				cfg.Blocks, cfg.Results = s, s
			}
			svc, stop := runService(t, cfg)
			s.commit(2, false) // two txs
			resp := s.resps[2]
			if err := bus.PublishEventNewBlockEvents(types.EventDataNewBlockEvents{Height: 2, Events: resp.Events, NumTxs: 2}); err != nil {
				t.Fatal(err)
			}
			publishTx(t, bus, 2, 1, s.blocks[2].Txs[1], resp.TxResults[1]) // index 0 is lost
			s.commit(3, false)
			s.publish(t, bus, 3)
			if err := svc.WaitFor(context.Background(), 3); err != nil {
				t.Fatal(err)
			}
			if withStores {
				ix.checkIndexed(t, s, 2)
			} else if ok, _ := ix.blocks.Has(2); ok {
				t.Error("incomplete block 2 indexed without stores")
			}
			ix.checkIndexed(t, s, 3)
			if err := stop(); err != nil {
				t.Errorf("Run: %v", err)
			}
		})
	}
}

// TestServiceReservedKey checks CometBFT's handling of a tx event composing to tx.height: the
// block's transactions are not indexed, the block is, and indexing goes on.
func TestServiceReservedKey(t *testing.T) {
	bus := types.NewEventBus()
	ix := newIndexers()
	s := newStores()
	svc, stop := runService(t, indexer.ServiceConfig{TxIndexer: ix.txs, BlockIndexer: ix.blocks, EventBus: bus})
	s.commit(1, true)
	s.publish(t, bus, 1)
	s.commit(2, false)
	s.publish(t, bus, 2)
	if err := svc.WaitFor(context.Background(), 2); err != nil {
		t.Fatal(err)
	}
	if ok, _ := ix.blocks.Has(1); !ok {
		t.Error("block 1 not indexed")
	}
	if r, err := ix.txs.Get(s.blocks[1].Txs[0].Hash()); r != nil || err != nil {
		t.Errorf("tx of block 1 indexed: %v, %v", r, err)
	}
	ix.checkIndexed(t, s, 2)
	if err := stop(); err != nil {
		t.Errorf("Run: %v", err)
	}
}

// failingTxs is a TxIndexer whose writes fail.
type failingTxs struct{ txindex.TxIndexer }

var errDisk = errors.New("disk on fire")

func (failingTxs) AddBatch(*txindex.Batch) error { return errDisk }

func TestServiceStorageFailure(t *testing.T) {
	bus := types.NewEventBus()
	ix := newIndexers()
	s := newStores()
	svc := indexer.NewService(indexer.ServiceConfig{TxIndexer: failingTxs{ix.txs}, BlockIndexer: ix.blocks, EventBus: bus})
	done := make(chan error, 1)
	go func() { done <- svc.Run(context.Background()) }()
	<-svc.Ready()
	s.commit(1, false)
	s.publish(t, bus, 1)
	if err := <-done; !errors.Is(err, errDisk) {
		t.Errorf("Run: %v, want %v", err, errDisk)
	}
	if ok, _ := ix.blocks.Has(1); ok {
		t.Error("block marked indexed although its txs failed")
	}
	if bus.NumClients() != 0 {
		t.Errorf("%d bus clients after Run ended", bus.NumClients())
	}
}

// TestServiceStops checks that Run returns nil when the bus stops, and unsubscribes.
func TestServiceStops(t *testing.T) {
	bus := types.NewEventBus()
	busCtx, stopBus := context.WithCancel(context.Background())
	busDone := make(chan error, 1)
	go func() { busDone <- bus.Run(busCtx) }()
	ix := newIndexers()
	svc := indexer.NewService(indexer.ServiceConfig{TxIndexer: ix.txs, BlockIndexer: ix.blocks, EventBus: bus})
	done := make(chan error, 1)
	go func() { done <- svc.Run(context.Background()) }()
	<-svc.Ready()
	if n := bus.NumClientSubscriptions(indexer.Subscriber); n != 1 {
		t.Errorf("%d subscriptions, want 1", n)
	}
	stopBus()
	if err := <-done; err != nil {
		t.Errorf("Run after the bus stopped: %v", err)
	}
	if err := <-busDone; err != nil {
		t.Errorf("bus Run: %v", err)
	}
}

// TestServiceNull runs the service over the null indexers with stores: no catch-up, and live
// blocks pass through.
func TestServiceNull(t *testing.T) {
	bus := types.NewEventBus()
	s := newStores()
	for h := int64(1); h <= 3; h++ {
		s.commit(h, false)
	}
	svc, stop := runService(t, indexer.ServiceConfig{
		TxIndexer: txnull.TxIndex{}, BlockIndexer: blocknull.Indexer{}, EventBus: bus, Blocks: s, Results: s,
	})
	s.commit(4, false)
	s.publish(t, bus, 4)
	if err := svc.WaitFor(context.Background(), 4); err != nil {
		t.Fatal(err)
	}
	if err := stop(); err != nil {
		t.Errorf("Run: %v", err)
	}
}

func TestWaitForCanceled(t *testing.T) {
	svc := indexer.NewService(indexer.ServiceConfig{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := svc.WaitFor(ctx, 1); err != context.Canceled {
		t.Errorf("WaitFor: %v", err)
	}
	if err := svc.WaitFor(ctx, 0); err != nil {
		t.Errorf("WaitFor(0): %v", err)
	}
}
