package kvstore

import (
	"context"
	"crypto/sha256"
	"testing"

	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	cryptoproto "github.com/ballot-bft/ballot/proto/tendermint/crypto"
)

var ctx = context.Background()

// testPubKey returns a deterministic 32-byte "ed25519" key (any 32 bytes are accepted).
func testPubKey(seed string) []byte {
	sum := sha256.Sum256([]byte(seed))
	return sum[:]
}

func ed25519Update(pub []byte, power int64) abci.ValidatorUpdate {
	return abci.ValidatorUpdate{PubKey: cryptoproto.PublicKey{Sum: &cryptoproto.PublicKey_Ed25519{Ed25519: pub}}, Power: power}
}

// finalize runs FinalizeBlock at height h and fails the test on error.
func finalize(t testing.TB, app *Application, h int64, txs ...string) *abci.ResponseFinalizeBlock {
	t.Helper()
	req := &abci.RequestFinalizeBlock{Height: h}
	for _, tx := range txs {
		req.Txs = append(req.Txs, []byte(tx))
	}
	resp, err := app.FinalizeBlock(ctx, req)
	if err != nil {
		t.Fatalf("FinalizeBlock(%d): %v", h, err)
	}
	if len(resp.TxResults) != len(txs) {
		t.Fatalf("FinalizeBlock(%d): %d results for %d txs", h, len(resp.TxResults), len(txs))
	}
	return resp
}

func commit(t testing.TB, app *Application) {
	t.Helper()
	if _, err := app.Commit(ctx, &abci.RequestCommit{}); err != nil {
		t.Fatalf("Commit: %v", err)
	}
}

// block finalizes and commits one block.
func block(t testing.TB, app *Application, h int64, txs ...string) *abci.ResponseFinalizeBlock {
	t.Helper()
	resp := finalize(t, app, h, txs...)
	commit(t, app)
	return resp
}

func query(t testing.TB, app *Application, key string, height int64) *abci.ResponseQuery {
	t.Helper()
	resp, err := app.Query(ctx, &abci.RequestQuery{Path: QueryPathKey, Data: []byte(key), Height: height})
	if err != nil {
		t.Fatalf("Query(%q, %d): %v", key, height, err)
	}
	return resp
}

func info(t testing.TB, app *Application) *abci.ResponseInfo {
	t.Helper()
	resp, err := app.Info(ctx, &abci.RequestInfo{})
	if err != nil {
		t.Fatalf("Info: %v", err)
	}
	return resp
}
