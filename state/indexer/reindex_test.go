package indexer_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ballot-bft/ballot/state/indexer"
	"github.com/ballot-bft/ballot/state/indexer/eventquery"
)

func TestReindex(t *testing.T) {
	ix := newIndexers()
	s := newStores()
	for h := int64(1); h <= 5; h++ {
		s.commit(h, false)
	}
	if err := indexer.Reindex(context.Background(), 2, 4, s, s, ix.txs, ix.blocks); err != nil {
		t.Fatal(err)
	}
	for h := int64(2); h <= 4; h++ {
		ix.checkIndexed(t, s, h)
	}
	for _, h := range []int64{1, 5} {
		if ok, _ := ix.blocks.Has(h); ok {
			t.Errorf("height %d indexed outside the range", h)
		}
	}
	// Reindexing is idempotent.
	if err := indexer.Reindex(context.Background(), 1, 5, s, s, ix.txs, ix.blocks); err != nil {
		t.Fatal(err)
	}
	for h := int64(1); h <= 5; h++ {
		ix.checkIndexed(t, s, h)
	}
}

func TestReindexErrors(t *testing.T) {
	s := newStores()
	for h := int64(1); h <= 4; h++ {
		s.commit(h, h == 2)
	}
	delete(s.resps, 3)
	delete(s.blocks, 4)
	s.blocks[5] = s.blocks[1]
	s.resps[5] = s.resps[2] // 2 results for 1 tx
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	cases := []struct {
		ctx      context.Context
		height   int64
		prefix   string
		reserved bool
	}{
		{context.Background(), 2, "tx event re-index at height 2 failed: event type and attribute key \"tx.height\" is reserved", true},
		{context.Background(), 3, "not able to load ABCI Response at height 3 from the statestore: ", false},
		{context.Background(), 4, "not able to load block at height 4 from the blockstore: ", false},
		{context.Background(), 5, "FinalizeBlock response at height 5 has 2 tx results for 1 txs", false},
		{canceled, 1, "event re-index terminated at height 1: context canceled", false},
	}
	for _, c := range cases {
		ix := newIndexers()
		err := indexer.Reindex(c.ctx, c.height, c.height, s, s, ix.txs, ix.blocks)
		if err == nil || !strings.HasPrefix(err.Error(), c.prefix) {
			t.Errorf("height %d: %v, want prefix %q", c.height, err, c.prefix)
		}
		var reserved *eventquery.ReservedKeyError
		if errors.As(err, &reserved) != c.reserved {
			t.Errorf("height %d: reserved %v", c.height, !c.reserved)
		}
		if ok, _ := ix.blocks.Has(c.height); ok {
			t.Errorf("height %d marked indexed after a failure", c.height)
		}
	}
}

// TestResolveRange is CometBFT's reindex-event height validation.
func TestResolveRange(t *testing.T) {
	cases := []struct {
		base, height, start, end int64
		from, to                 int64
		err                      string
	}{
		{1, 10, 0, 0, 1, 10, ""},
		{1, 10, 3, 0, 3, 10, ""},
		{1, 10, 0, 4, 1, 4, ""},
		{1, 10, 3, 99, 3, 10, ""},
		{5, 10, 2, 0, 0, 0, "height is not available (requested start height: 2, base height: 5)"},
		{1, 10, 11, 0, 0, 0, "height is not available (requested start height: 11, store height: 10)"},
		{5, 10, 6, 3, 0, 0, "height is not available (requested end height: 3, base height: 5)"},
		{1, 10, 6, 3, 0, 0, "invalid request (requested the end height: 6 is less than the start height: 3)"},
	}
	for _, c := range cases {
		from, to, err := indexer.ResolveRange(c.base, c.height, c.start, c.end)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("%+v: error %v, want %q", c, err, c.err)
			}
			continue
		}
		if err != nil || from != c.from || to != c.to {
			t.Errorf("%+v: %d, %d, %v", c, from, to, err)
		}
	}
	_, _, err := indexer.ResolveRange(5, 10, 2, 0)
	if !errors.Is(err, indexer.ErrHeightNotAvailable) {
		t.Errorf("error %v does not wrap ErrHeightNotAvailable", err)
	}
	_, _, err = indexer.ResolveRange(1, 10, 6, 3)
	if !errors.Is(err, indexer.ErrInvalidRequest) {
		t.Errorf("error %v does not wrap ErrInvalidRequest", err)
	}
}
