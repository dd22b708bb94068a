package kv

import (
	"fmt"

	dbm "github.com/cometbft/cometbft-db"

	abcitypes "github.com/ballot-bft/ballot/abci/types"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	"github.com/ballot-bft/ballot/state/indexer/eventquery"
	"github.com/ballot-bft/ballot/state/txindex"
	"github.com/ballot-bft/ballot/types"
)

// TxIndex is the kv transaction indexer; see the package documentation.
type TxIndex struct {
	db dbm.DB
}

var _ txindex.TxIndexer = (*TxIndex)(nil)

// New returns an indexer over db (CometBFT's tx_index database). The caller keeps ownership of
// db and closes it after the last use of the indexer.
func New(db dbm.DB) *TxIndex {
	return &TxIndex{db: db}
}

// Get returns the result stored under hash, or nil and no error if there is none. An empty hash
// gives txindex.ErrEmptyHash; stored bytes that do not decode give an error starting "error
// reading TxResult".
func (t *TxIndex) Get(hash []byte) (*abci.TxResult, error) {
	if len(hash) == 0 {
		return nil, txindex.ErrEmptyHash
	}
	raw, err := t.db.Get(hash)
	if err != nil {
		return nil, fmt.Errorf("reading tx %X: %w", hash, err)
	}
	if raw == nil {
		return nil, nil
	}
	return decodeResult(raw)
}

// decodeResult decodes a stored TxResult.
func decodeResult(raw []byte) (*abci.TxResult, error) {
	result := new(abci.TxResult)
	if err := result.Unmarshal(raw); err != nil {
		return nil, fmt.Errorf("error reading TxResult: %w", err)
	}
	return result, nil
}

// AddBatch indexes every result of b in one write; see txindex.TxIndexer. Writes are not synced:
// the index can be rebuilt from the stores, and the indexer service writes a block's entry after
// its transactions', so that its catch-up restores what a power loss took.
func (t *TxIndex) AddBatch(b *txindex.Batch) error {
	batch := t.db.NewBatch()
	defer batch.Close()
	for i, result := range b.Ops {
		if result == nil {
			return fmt.Errorf("indexing batch: no result at position %d of %d", i, len(b.Ops))
		}
		if err := addResult(batch, result); err != nil {
			return err
		}
	}
	if err := batch.Write(); err != nil {
		return fmt.Errorf("writing tx index batch: %w", err)
	}
	return nil
}

// Index indexes one result in one (unsynced) write, unless it failed and a successful result is
// stored under its hash already; see txindex.TxIndexer.
func (t *TxIndex) Index(result *abci.TxResult) error {
	if result.Result.Code != abcitypes.CodeTypeOK {
		old, err := t.Get(types.Tx(result.Tx).Hash())
		if err != nil {
			return err
		}
		if old != nil && old.Result.Code == abcitypes.CodeTypeOK {
			return nil
		}
	}
	batch := t.db.NewBatch()
	defer batch.Close()
	if err := addResult(batch, result); err != nil {
		return err
	}
	if err := batch.Write(); err != nil {
		return fmt.Errorf("writing tx index: %w", err)
	}
	return nil
}

// addResult adds the keys of one result to batch: its indexed attributes, its tx.height key and
// the result itself under its hash.
func addResult(batch dbm.Batch, result *abci.TxResult) error {
	hash := types.Tx(result.Tx).Hash()
	err := eventquery.ForEachIndexed(result.Result.Events, []string{types.TxHashKey, types.TxHeightKey},
		func(seq int, composite, value string) error {
			if err := batch.Set(eventKey(composite, value, result.Height, result.Index, seq), hash); err != nil {
				return fmt.Errorf("indexing attribute %s of tx %X: %w", composite, hash, err)
			}
			return nil
		})
	if err != nil {
		return err
	}
	if err := batch.Set(heightKey(result.Height, result.Index), hash); err != nil {
		return fmt.Errorf("indexing height of tx %X: %w", hash, err)
	}
	raw, err := result.Marshal()
	if err != nil {
		return fmt.Errorf("encoding result of tx %X: %w", hash, err)
	}
	if err := batch.Set(hash, raw); err != nil {
		return fmt.Errorf("storing result of tx %X: %w", hash, err)
	}
	return nil
}
