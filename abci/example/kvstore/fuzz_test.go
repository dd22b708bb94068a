package kvstore

import (
	"bytes"
	"testing"

	"github.com/cosmos/gogoproto/proto"

	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// FuzzFinalizeBlock feeds two fresh kvstores the same arbitrary block (the input split on
// '\n' into transactions, executed as two heights) through every per-height call: no call may
// fail or panic, both apps must answer identically, and CheckTx must agree with
// ProcessProposal.
func FuzzFinalizeBlock(f *testing.F) {
	for _, seed := range []string{
		"a=b\nc:d\nx",
		"get:a:\ncas:a::v\ncas:a:v:w:1\nget:a:2",
		"val=ed25519!AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=!3\nval=secp256k1!AA==!1",
		"=\n:\n\x00\xff\n==\nval=\nget:\ncas::::",
		"k=v\n\nk:w\ncas:k:w:z:n:n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, input []byte) {
		txs := bytes.Split(input, []byte("\n"))
		apps := []*Application{NewInMemoryApplication(Options{SnapshotInterval: 1, SnapshotChunkSize: 16}), NewInMemoryApplication(Options{})}
		var first []*abci.ResponseFinalizeBlock
		for i, app := range apps {
			defer app.Close()
			var got []*abci.ResponseFinalizeBlock
			for h := int64(1); h <= 2; h++ {
				pp, err := app.ProcessProposal(ctx, &abci.RequestProcessProposal{Txs: txs, Height: h})
				if err != nil {
					t.Fatal(err)
				}
				allOK := true
				for _, tx := range txs {
					ct, err := app.CheckTx(ctx, &abci.RequestCheckTx{Tx: tx})
					if err != nil {
						t.Fatal(err)
					}
					allOK = allOK && ct.Code == CodeTypeOK
				}
				if allOK != (pp.Status == abci.ResponseProcessProposal_ACCEPT) {
					t.Fatalf("ProcessProposal %v disagrees with CheckTx", pp.Status)
				}
				resp, err := app.FinalizeBlock(ctx, &abci.RequestFinalizeBlock{Txs: txs, Height: h})
				if err != nil {
					t.Fatal(err)
				}
				if len(resp.TxResults) != len(txs) {
					t.Fatalf("%d results for %d txs", len(resp.TxResults), len(txs))
				}
				if _, err := app.Commit(ctx, &abci.RequestCommit{}); err != nil {
					t.Fatal(err)
				}
				got = append(got, resp)
			}
			if i == 0 {
				first = got
				continue
			}
			for h := range got {
				if !proto.Equal(got[h], first[h]) {
					t.Fatalf("height %d: apps disagree:\n%v\n%v", h+1, first[h], got[h])
				}
			}
		}
		if a, b := info(t, apps[0]), info(t, apps[1]); !proto.Equal(a, b) {
			t.Fatalf("Info differs: %v vs %v", a, b)
		}
	})
}

// FuzzDecodeSnapshot checks that decoding arbitrary snapshot payloads never panics and that
// whatever decodes re-encodes to the same bytes (the format is canonical).
func FuzzDecodeSnapshot(f *testing.F) {
	f.Add([]byte{1, 1, 0, 0})
	f.Add(snapshotData{height: 3, size: 9, values: []pair{{[]byte("a"), []byte("1")}, {[]byte("b"), []byte("2")}}}.encode())
	f.Add(snapshotData{height: 1, validators: []pair{{testPubKey("v"), encodeValidator(ed25519Update(testPubKey("v"), 2))}}}.encode())
	f.Fuzz(func(t *testing.T, payload []byte) {
		d, err := decodeSnapshot(payload)
		if err != nil {
			return
		}
		if !bytes.Equal(d.encode(), payload) {
			t.Fatalf("decoded payload re-encodes differently")
		}
	})
}
