package null

import (
	"context"
	"errors"
	"testing"

	"github.com/ballot-bft/ballot/libs/pubsub/query"
	"github.com/ballot-bft/ballot/state/indexer"
	"github.com/ballot-bft/ballot/types"
)

func TestNull(t *testing.T) {
	var idx indexer.BlockIndexer = Indexer{}
	if err := idx.Index(types.EventDataNewBlockEvents{Height: 3}); err != nil {
		t.Errorf("Index: %v", err)
	}
	if ok, err := idx.Has(3); ok || !errors.Is(err, indexer.ErrDisabled) {
		t.Errorf("Has = %v, %v", ok, err)
	}
	got, err := idx.Search(context.Background(), query.MustParse("block.height = 3"))
	if got != nil || err == nil || err.Error() != "block indexing is disabled" {
		t.Errorf("Search = %v, %v", got, err)
	}
}
