package mempool

import (
	"fmt"

	"github.com/ballot-bft/ballot/types"

	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// PreCheckFunc inspects a transaction before the app is asked; a non-nil error refuses it (the
// caller gets it wrapped in a *PreCheckError). It must be pure and fast: it runs under the pool's
// mutex.
type PreCheckFunc func(tx types.Tx) error

// PostCheckFunc inspects the app's code-0 answer for a transaction (NEW and RECHECK); a non-nil
// error keeps the transaction out of the pool (or evicts it on recheck). It must be pure and
// fast: it runs under the pool's mutex. res must not be modified.
type PostCheckFunc func(tx types.Tx, res *abci.ResponseCheckTx) error

// PreCheckMaxBytes refuses transactions whose size inside a block's Data (their proto size, see
// types.ComputeProtoSizeForTxs) exceeds maxBytes, the block's MaxDataBytes. maxBytes of -1
// accepts everything.
func PreCheckMaxBytes(maxBytes int64) PreCheckFunc {
	return func(tx types.Tx) error {
		if maxBytes == -1 {
			return nil
		}
		if size := protoSize(len(tx)); size > maxBytes {
			return fmt.Errorf("tx size is too big: %d, max: %d", size, maxBytes)
		}
		return nil
	}
}

// PostCheckMaxGas refuses answers whose gas_wanted is negative or above maxGas, the block's
// max_gas. maxGas of -1 accepts everything (CometBFT then skips the negative check too).
func PostCheckMaxGas(maxGas int64) PostCheckFunc {
	return func(_ types.Tx, res *abci.ResponseCheckTx) error {
		if maxGas == -1 {
			return nil
		}
		if res.GasWanted < 0 {
			return fmt.Errorf("gas wanted %d is negative", res.GasWanted)
		}
		if res.GasWanted > maxGas {
			return fmt.Errorf("gas wanted %d is greater than max gas %d", res.GasWanted, maxGas)
		}
		return nil
	}
}

// protoSize is the number of bytes a transaction of n bytes adds to proto(Data{txs}): the field
// tag, the uvarint length and the bytes (abci.md §4.2).
func protoSize(n int) int64 {
	size := int64(1 + n)
	for v := uint64(n); ; v >>= 7 {
		size++
		if v < 0x80 {
			return size
		}
	}
}
