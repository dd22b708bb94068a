package appconformance

import (
	"bytes"
	"fmt"

	"github.com/cosmos/gogoproto/proto"

	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// sameExecResult compares what consensus hashes of a transaction result (code, data,
// gas_wanted, gas_used — the LastResultsHash subset) and, when strict, everything else.
func sameExecResult(a, b *abci.ExecTxResult, strict bool) error {
	switch {
	case a.Code != b.Code:
		return fmt.Errorf("code %d vs %d", a.Code, b.Code)
	case !bytes.Equal(a.Data, b.Data):
		return fmt.Errorf("data %X vs %X", a.Data, b.Data)
	case a.GasWanted != b.GasWanted || a.GasUsed != b.GasUsed:
		return fmt.Errorf("gas %d/%d vs %d/%d", a.GasWanted, a.GasUsed, b.GasWanted, b.GasUsed)
	case strict && !proto.Equal(a, b):
		return fmt.Errorf("log/info/events/codespace differ: %v vs %v", a, b)
	}
	return nil
}

// sameFinalize compares two FinalizeBlock answers to the same block.
func sameFinalize(a, b *abci.ResponseFinalizeBlock, strict bool) error {
	if !bytes.Equal(a.AppHash, b.AppHash) {
		return fmt.Errorf("app hashes differ: %X vs %X", a.AppHash, b.AppHash)
	}
	if len(a.TxResults) != len(b.TxResults) {
		return fmt.Errorf("%d vs %d tx results", len(a.TxResults), len(b.TxResults))
	}
	for i := range a.TxResults {
		if err := sameExecResult(a.TxResults[i], b.TxResults[i], strict); err != nil {
			return fmt.Errorf("tx result %d: %w", i, err)
		}
	}
	if len(a.ValidatorUpdates) != len(b.ValidatorUpdates) {
		return fmt.Errorf("validator updates differ: %v vs %v", a.ValidatorUpdates, b.ValidatorUpdates)
	}
	for i := range a.ValidatorUpdates {
		if !proto.Equal(&a.ValidatorUpdates[i], &b.ValidatorUpdates[i]) {
			return fmt.Errorf("validator update %d differs: %v vs %v", i, a.ValidatorUpdates[i], b.ValidatorUpdates[i])
		}
	}
	if !proto.Equal(a.ConsensusParamUpdates, b.ConsensusParamUpdates) {
		return fmt.Errorf("consensus param updates differ: %v vs %v", a.ConsensusParamUpdates, b.ConsensusParamUpdates)
	}
	if strict && !sameEvents(a.Events, b.Events) {
		return fmt.Errorf("block events differ: %v vs %v", a.Events, b.Events)
	}
	return nil
}

func sameEvents(a, b []abci.Event) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !proto.Equal(&a[i], &b[i]) {
			return false
		}
	}
	return true
}

// wellFormedFinalize checks the answer a node would refuse or crash on (abci.md §4.3).
func wellFormedFinalize(req *abci.RequestFinalizeBlock, res *abci.ResponseFinalizeBlock) error {
	if len(res.TxResults) != len(req.Txs) {
		return fmt.Errorf("FinalizeBlock returned %d tx results for %d txs", len(res.TxResults), len(req.Txs))
	}
	for i, r := range res.TxResults {
		if r == nil {
			return fmt.Errorf("FinalizeBlock tx result %d is nil", i)
		}
	}
	seen := map[string]bool{}
	for i, u := range res.ValidatorUpdates {
		if u.Power < 0 {
			return fmt.Errorf("validator update %d has negative power %d", i, u.Power)
		}
		var key []byte
		switch {
		case len(u.PubKey.GetEd25519()) == 32:
			key = u.PubKey.GetEd25519()
		case len(u.PubKey.GetSecp256K1()) == 33:
			key = u.PubKey.GetSecp256K1()
		default:
			return fmt.Errorf("validator update %d has an unusable public key %v", i, u.PubKey)
		}
		if seen[string(key)] {
			return fmt.Errorf("validator updates repeat the key %X", key)
		}
		seen[string(key)] = true
	}
	return nil
}

// wellFormedCheckTx checks the node's post-check of a CheckTx answer (abci.md §4.3).
func wellFormedCheckTx(res *abci.ResponseCheckTx) error {
	if res.GasWanted < 0 {
		return fmt.Errorf("CheckTx gas_wanted %d is negative", res.GasWanted)
	}
	return nil
}

func sameCheckTx(a, b *abci.ResponseCheckTx, strict bool) error {
	switch {
	case a.Code != b.Code:
		return fmt.Errorf("code %d vs %d", a.Code, b.Code)
	case a.GasWanted != b.GasWanted:
		return fmt.Errorf("gas_wanted %d vs %d", a.GasWanted, b.GasWanted)
	case strict && !proto.Equal(a, b):
		return fmt.Errorf("answers differ: %v vs %v", a, b)
	}
	return nil
}

func sameQuery(a, b *abci.ResponseQuery, strict bool) error {
	switch {
	case a.Code != b.Code:
		return fmt.Errorf("code %d vs %d", a.Code, b.Code)
	case !bytes.Equal(a.Key, b.Key) || !bytes.Equal(a.Value, b.Value):
		return fmt.Errorf("key/value %q=%q vs %q=%q", a.Key, a.Value, b.Key, b.Value)
	case a.Height != b.Height:
		return fmt.Errorf("height %d vs %d", a.Height, b.Height)
	case strict && !proto.Equal(a, b):
		return fmt.Errorf("answers differ: %v vs %v", a, b)
	}
	return nil
}

// protoTxsSize is the size the transactions take in a block's Data (abci.md §4.2).
func protoTxsSize(txs [][]byte) int64 {
	var n int64
	for _, tx := range txs {
		n += 1 + int64(proto.SizeVarint(uint64(len(tx)))) + int64(len(tx))
	}
	return n
}
