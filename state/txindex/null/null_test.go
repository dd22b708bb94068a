package null

import (
	"context"
	"errors"
	"testing"

	"github.com/ballot-bft/ballot/libs/pubsub/query"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	"github.com/ballot-bft/ballot/state/txindex"
)

func TestNull(t *testing.T) {
	var idx txindex.TxIndexer = TxIndex{}
	r := &abci.TxResult{Height: 1, Tx: []byte("x")}
	if err := idx.Index(r); err != nil {
		t.Errorf("Index: %v", err)
	}
	if err := idx.AddBatch(&txindex.Batch{Ops: []*abci.TxResult{r}}); err != nil {
		t.Errorf("AddBatch: %v", err)
	}
	if got, err := idx.Get([]byte{1}); got != nil || !errors.Is(err, txindex.ErrDisabled) || err.Error() != "transaction indexing is disabled" {
		t.Errorf("Get = %v, %v", got, err)
	}
	if got, err := idx.Get(nil); got != nil || !errors.Is(err, txindex.ErrDisabled) {
		t.Errorf("Get(nil) = %v, %v", got, err)
	}
	got, total, err := idx.Search(context.Background(), query.MustParse("tx.height = 1"), txindex.SearchOptions{})
	if got != nil || total != 0 || err == nil || err.Error() != "transaction indexing is disabled" {
		t.Errorf("Search = %v, %d, %v", got, total, err)
	}
}
