package indexer_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"

	dbm "github.com/cometbft/cometbft-db"

	"github.com/ballot-bft/ballot/libs/pubsub/query"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	"github.com/ballot-bft/ballot/state/indexer"
	blockkv "github.com/ballot-bft/ballot/state/indexer/block/kv"
	"github.com/ballot-bft/ballot/state/txindex"
	txkv "github.com/ballot-bft/ballot/state/txindex/kv"
	"github.com/ballot-bft/ballot/types"
)

var errMissing = errors.New("not stored")

// stores is an in-memory block store and FinalizeBlock response store.
type stores struct {
	base   int64
	blocks map[int64]*types.Block
	resps  map[int64]*abci.ResponseFinalizeBlock
}

func newStores() *stores {
	return &stores{blocks: map[int64]*types.Block{}, resps: map[int64]*abci.ResponseFinalizeBlock{}}
}

func (s *stores) Base() int64 {
	if len(s.blocks) == 0 {
		return 0
	}
	if s.base > 0 {
		return s.base
	}
	return 1
}

func (s *stores) Height() int64 {
	var h int64
	for k := range s.blocks {
		h = max(h, k)
	}
	return h
}

func (s *stores) LoadBlock(h int64) (*types.Block, error) {
	if b, ok := s.blocks[h]; ok {
		return b, nil
	}
	return nil, fmt.Errorf("block %d: %w", h, errMissing)
}

func (s *stores) LoadFinalizeBlockResponse(h int64) (*abci.ResponseFinalizeBlock, error) {
	if r, ok := s.resps[h]; ok {
		return r, nil
	}
	return nil, fmt.Errorf("response %d: %w", h, errMissing)
}

// txName names the i-th transaction of height h.
func txName(h int64, i int) string { return fmt.Sprintf("tx-%d-%d", h, i) }

// commit stores block h with h%3 transactions: tx i has the event app{key=<tx name>, n=i}
// (and, if reservedTx, one composing to tx.height); the block has the event end{height=h}.
func (s *stores) commit(h int64, reservedTx bool) {
	n := int(h % 3)
	block := &types.Block{Header: types.Header{Height: h}}
	resp := &abci.ResponseFinalizeBlock{Events: []abci.Event{{
		Type:       "end",
		Attributes: []abci.EventAttribute{{Key: "height", Value: strconv.FormatInt(h, 10), Index: true}},
	}}}
	for i := 0; i < n; i++ {
		block.Txs = append(block.Txs, types.Tx(txName(h, i)))
		events := []abci.Event{{Type: "app", Attributes: []abci.EventAttribute{
			{Key: "key", Value: txName(h, i), Index: true},
			{Key: "n", Value: strconv.Itoa(i), Index: true},
		}}}
		if reservedTx {
			events = append(events, abci.Event{Type: "tx", Attributes: []abci.EventAttribute{{Key: "height", Value: "1"}}})
		}
		resp.TxResults = append(resp.TxResults, &abci.ExecTxResult{Code: uint32(i), Events: events})
	}
	s.blocks[h] = block
	s.resps[h] = resp
}

// publish publishes block h's NewBlockEvents and Tx events, as the block executor does.
func (s *stores) publish(t *testing.T, bus *types.EventBus, h int64) {
	t.Helper()
	block, resp := s.blocks[h], s.resps[h]
	if err := bus.PublishEventNewBlockEvents(types.EventDataNewBlockEvents{
		Height: h, Events: resp.Events, NumTxs: int64(len(block.Txs)),
	}); err != nil {
		t.Fatal(err)
	}
	for i, tx := range block.Txs {
		publishTx(t, bus, h, i, tx, resp.TxResults[i])
	}
}

func publishTx(t *testing.T, bus *types.EventBus, h int64, i int, tx types.Tx, r *abci.ExecTxResult) {
	t.Helper()
	if err := bus.PublishEventTx(types.EventDataTx{TxResult: abci.TxResult{
		Height: h, Index: uint32(i), Tx: tx, Result: *r,
	}}); err != nil {
		t.Fatal(err)
	}
}

// indexers are kv indexers sharing one MemDB, laid out as CometBFT's.
type indexers struct {
	txs    *txkv.TxIndex
	blocks *blockkv.Indexer
}

func newIndexers() indexers {
	db := dbm.NewMemDB()
	return indexers{txs: txkv.New(db), blocks: blockkv.New(dbm.NewPrefixDB(db, []byte(blockkv.StorePrefix)))}
}

// checkIndexed fails unless block h and its transactions are indexed and searchable.
func (ix indexers) checkIndexed(t *testing.T, s *stores, h int64) {
	t.Helper()
	if ok, err := ix.blocks.Has(h); !ok || err != nil {
		t.Errorf("block %d not indexed (%v)", h, err)
	}
	got, err := ix.blocks.Search(context.Background(), query.MustParse(fmt.Sprintf("end.height = %d", h)))
	if err != nil || len(got) != 1 || got[0] != h {
		t.Errorf("block_search end.height = %d: %v, %v", h, got, err)
	}
	for i, tx := range s.blocks[h].Txs {
		r, err := ix.txs.Get(tx.Hash())
		if err != nil || r == nil || r.Height != h || r.Index != uint32(i) {
			t.Errorf("tx %s: %+v, %v", tx, r, err)
			continue
		}
		found, total, err := ix.txs.Search(context.Background(),
			query.MustParse(fmt.Sprintf("app.key = '%s' AND app.n = %d", string(tx), i)), txindex.SearchOptions{})
		if err != nil || total != 1 || string(found[0].Tx) != string(tx) {
			t.Errorf("tx_search for %s: %d results, %v", tx, total, err)
		}
	}
}

// runService starts a service and returns it with a function that stops it and returns Run's
// result.
func runService(t *testing.T, cfg indexer.ServiceConfig) (*indexer.Service, func() error) {
	t.Helper()
	svc := indexer.NewService(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	var once sync.Once
	var result error
	stop := func() error {
		once.Do(func() {
			cancel()
			result = <-done
		})
		return result
	}
	t.Cleanup(func() { _ = stop() })
	select {
	case <-svc.Ready():
	case err := <-done:
		done <- err
		t.Fatalf("Run ended before ready: %v", err)
	}
	return svc, stop
}
