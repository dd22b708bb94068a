package state

import (
	"errors"
	"testing"

	dbm "github.com/cometbft/cometbft-db"

	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
)

// exampleResponse returns a FinalizeBlock response that differs per height.
func exampleResponse(height int64) *abci.ResponseFinalizeBlock {
	return &abci.ResponseFinalizeBlock{
		Events: []abci.Event{{Type: "block", Attributes: []abci.EventAttribute{{Key: "height", Value: "h", Index: true}}}},
		TxResults: []*abci.ExecTxResult{
			{Code: 0, Data: []byte{byte(height)}, GasUsed: height},
			{Code: 3, Log: "failed", Codespace: "app"},
		},
		ConsensusParamUpdates: &tmproto.ConsensusParams{Version: &tmproto.VersionParams{App: uint64(height)}},
		AppHash:               []byte{0xaa, byte(height)},
	}
}

func sameResponse(t *testing.T, got, want *abci.ResponseFinalizeBlock) bool {
	t.Helper()
	a, err := got.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	b, err := want.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return string(a) == string(b)
}

func TestFinalizeBlockResponses(t *testing.T) {
	backends(t, func(t *testing.T, newDB func() dbm.DB) {
		store := NewStore(newDB(), StoreOptions{})
		defer store.Close()
		if _, err := store.LoadLastFinalizeBlockResponse(1); !errors.Is(err, ErrNotFound) {
			t.Fatalf("empty store: %v, want ErrNotFound", err)
		}
		for h := int64(1); h <= 3; h++ {
			resp := exampleResponse(h)
			resp.TxResults = append(resp.TxResults, nil) // dropped when stored
			if err := store.SaveFinalizeBlockResponse(h, resp); err != nil {
				t.Fatal(err)
			}
			if len(resp.TxResults) != 3 {
				t.Fatal("SaveFinalizeBlockResponse modified its argument")
			}
		}
		for h := int64(1); h <= 3; h++ {
			got, err := store.LoadFinalizeBlockResponse(h)
			if err != nil {
				t.Fatal(err)
			}
			if !sameResponse(t, got, exampleResponse(h)) {
				t.Fatalf("height %d: loaded response differs", h)
			}
		}
		if _, err := store.LoadFinalizeBlockResponse(4); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing height: %v, want ErrNotFound", err)
		}
		last, err := store.LoadLastFinalizeBlockResponse(3)
		if err != nil || !sameResponse(t, last, exampleResponse(3)) {
			t.Fatalf("last response: %v", err)
		}
		if _, err := store.LoadLastFinalizeBlockResponse(2); err == nil {
			t.Fatal("last response asked for the wrong height was returned")
		}
		if err := store.SaveFinalizeBlockResponse(4, nil); err == nil {
			t.Fatal("nil response saved")
		}
	})
}

func TestDiscardFinalizeBlockResponses(t *testing.T) {
	db := dbm.NewMemDB()
	store := NewStore(db, StoreOptions{DiscardABCIResponses: true})
	if err := store.SaveFinalizeBlockResponse(5, exampleResponse(5)); err != nil {
		t.Fatal(err)
	}
	if _, err := store.LoadFinalizeBlockResponse(5); !errors.Is(err, ErrFinalizeBlockResponsesNotPersisted) {
		t.Fatalf("error %v, want ErrFinalizeBlockResponsesNotPersisted", err)
	}
	if has, _ := db.Has(abciResponsesKey(5)); has {
		t.Fatal("the per-height response was stored")
	}
	last, err := store.LoadLastFinalizeBlockResponse(5)
	if err != nil || !sameResponse(t, last, exampleResponse(5)) {
		t.Fatalf("last response with discarding: %v", err)
	}
}
