package kvstore

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/cosmos/gogoproto/proto"

	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

func TestInfoOfEmptyStoreMatchesCometBFT(t *testing.T) {
	app := NewInMemoryApplication(Options{})
	defer app.Close()
	got := info(t, app)
	// The Response{info} captured from CometBFT's kvstore (spec abci.md §2.1).
	want := &abci.ResponseInfo{Data: `{"size":0}`, Version: "2.0.0", AppVersion: 1, LastBlockAppHash: make([]byte, 8)}
	if !proto.Equal(got, want) {
		t.Fatalf("Info = %+v, want %+v", got, want)
	}
	body, err := (&abci.Response{Value: &abci.Response_Info{Info: got}}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if h := hex.EncodeToString(body); h != "221f0a0a7b2273697a65223a307d1205322e302e3018012a080000000000000000" {
		t.Errorf("Response{info} bytes %s differ from the captured frame", h)
	}
}

func TestFinalizeBlockResultsAndAppHash(t *testing.T) {
	app := NewInMemoryApplication(Options{})
	defer app.Close()
	init, err := app.InitChain(ctx, &abci.RequestInitChain{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(init.AppHash, make([]byte, 8)) {
		t.Errorf("InitChain app hash %X", init.AppHash)
	}

	resp := finalize(t, app, 1, "a=b", "c:d", "x")
	wantCodes := []uint32{CodeTypeOK, CodeTypeOK, CodeTypeInvalidTxFormat}
	for i, r := range resp.TxResults {
		if r.Code != wantCodes[i] {
			t.Errorf("tx %d code %d, want %d", i, r.Code, wantCodes[i])
		}
	}
	// CometBFT's kvstore answered this block (via abci-cli) with app hash 0x0600000000000000:
	// three transactions, zig-zag varint of 3.
	if want, _ := hex.DecodeString("0600000000000000"); !bytes.Equal(resp.AppHash, want) {
		t.Errorf("app hash %X, want %X", resp.AppHash, want)
	}
	ev := resp.TxResults[0].Events
	if len(ev) != 2 || ev[0].Type != "app" || ev[1].Type != "app" {
		t.Fatalf("events %+v", ev)
	}
	wantAttrs := []abci.EventAttribute{
		{Key: "creator", Value: "Cosmoshi Netowoko", Index: true},
		{Key: "key", Value: "a", Index: true},
		{Key: "index_key", Value: "index is working", Index: true},
		{Key: "noindex_key", Value: "index is working", Index: false},
	}
	for i, a := range wantAttrs {
		if ev[0].Attributes[i] != a {
			t.Errorf("event 0 attribute %d = %+v, want %+v", i, ev[0].Attributes[i], a)
		}
	}
	if ev[1].Attributes[0].Value != "Cosmoshi" || ev[1].Attributes[1].Value != "b" {
		t.Errorf("event 1 attributes %+v", ev[1].Attributes)
	}
	// A transaction that does not split on '=' into two parts reports itself as key and value.
	if got := resp.TxResults[1].Events[0].Attributes[1].Value; got != "c:d" {
		t.Errorf("key attribute of c:d = %q", got)
	}

	// Nothing is visible before Commit.
	if q := query(t, app, "a", 0); q.Value != nil || q.Log != "does not exist" || q.Height != 0 {
		t.Errorf("query before commit: %+v", q)
	}
	commit(t, app)
	if q := query(t, app, "a", 0); string(q.Value) != "b" || q.Log != "exists" || q.Height != 1 || q.Code != 0 {
		t.Errorf("query a: %+v", q)
	}
	if q := query(t, app, "c", 0); string(q.Value) != "d" {
		t.Errorf("query c: %+v", q)
	}
	in := info(t, app)
	if in.LastBlockHeight != 1 || in.Data != `{"size":3}` || !bytes.Equal(in.LastBlockAppHash, resp.AppHash) {
		t.Errorf("Info after commit: %+v", in)
	}
}

func TestGetAndCAS(t *testing.T) {
	app := NewInMemoryApplication(Options{})
	defer app.Close()
	block(t, app, 1, "k=v1")

	resp := block(t, app, 2,
		"get:k:1",         // v1
		"get:missing:1",   // absent
		"cas:k:v1:v2",     // swaps
		"get:k:2",         // sees v2 within the block
		"cas:k:v1:v3:n",   // mismatch: current v2
		"cas:new::fresh",  // absent → fresh
		"cas:new::again",  // mismatch: now fresh
		"cas:k:v2:v4:n:x", // nonce may contain ':'
	)
	want := []struct {
		code uint32
		data string
	}{
		{CodeTypeOK, "v1"},
		{CodeTypeOK, ""},
		{CodeTypeOK, "v1"},
		{CodeTypeOK, "v2"},
		{CodeTypeCASMismatch, "v2"},
		{CodeTypeOK, ""},
		{CodeTypeCASMismatch, "fresh"},
		{CodeTypeOK, "v2"},
	}
	for i, w := range want {
		r := resp.TxResults[i]
		if r.Code != w.code || string(r.Data) != w.data {
			t.Errorf("tx %d: code %d data %q (log %q), want code %d data %q", i, r.Code, r.Data, r.Log, w.code, w.data)
		}
	}
	if resp.TxResults[1].Log != "does not exist" || resp.TxResults[0].Log != "exists" {
		t.Errorf("get logs %q %q", resp.TxResults[0].Log, resp.TxResults[1].Log)
	}
	if q := query(t, app, "k", 0); string(q.Value) != "v4" {
		t.Errorf("k = %q, want v4", q.Value)
	}
	if q := query(t, app, "new", 0); string(q.Value) != "fresh" {
		t.Errorf("new = %q, want fresh", q.Value)
	}
}

func TestQueryAtHeight(t *testing.T) {
	app := NewInMemoryApplication(Options{})
	defer app.Close()
	block(t, app, 1, "k=one")
	block(t, app, 2, "other=x")
	block(t, app, 3, "k=three")
	for _, c := range []struct {
		height int64
		code   uint32
		value  string
		rh     int64
	}{
		{0, CodeTypeOK, "three", 3},
		{1, CodeTypeOK, "one", 1},
		{2, CodeTypeOK, "one", 2},
		{3, CodeTypeOK, "three", 3},
		{4, CodeTypeHeightUnavailable, "", 4},
		{-1, CodeTypeHeightUnavailable, "", -1},
	} {
		q := query(t, app, "k", c.height)
		if q.Code != c.code || string(q.Value) != c.value || q.Height != c.rh {
			t.Errorf("height %d: code %d value %q height %d, want %d %q %d", c.height, q.Code, q.Value, q.Height, c.code, c.value, c.rh)
		}
	}
	if q := query(t, app, "other", 1); q.Value != nil || q.Log != "does not exist" {
		t.Errorf("other at 1: %+v", q)
	}
	prove, err := app.Query(ctx, &abci.RequestQuery{Data: []byte("k"), Prove: true, Path: "/store"})
	if err != nil {
		t.Fatal(err)
	}
	if prove.Index != -1 || string(prove.Value) != "three" {
		t.Errorf("prove query %+v", prove)
	}
}

func TestFinalizeBlockHeights(t *testing.T) {
	app := NewInMemoryApplication(Options{})
	defer app.Close()
	// Height 0, as abci-cli sends it, may repeat while the state is at height 0.
	block(t, app, 0, "a=b")
	block(t, app, 0, "a=c")
	if in := info(t, app); in.LastBlockHeight != 0 || in.Data != `{"size":2}` {
		t.Fatalf("Info after abci-cli style blocks: %+v", in)
	}
	if q := query(t, app, "a", 0); string(q.Value) != "c" || q.Height != 0 {
		t.Fatalf("query after abci-cli style blocks: %+v", q)
	}
	block(t, app, 5, "a=d") // gaps are fine (initial_height, restores)
	for _, h := range []int64{5, 0, -1} {
		if _, err := app.FinalizeBlock(ctx, &abci.RequestFinalizeBlock{Height: h}); err == nil {
			t.Errorf("FinalizeBlock at height %d after committing 5 succeeded", h)
		}
	}
	// FinalizeBlock may be repeated before Commit; the last one wins.
	finalize(t, app, 6, "a=first", "b=x")
	finalize(t, app, 6, "a=second")
	commit(t, app)
	if q := query(t, app, "a", 0); string(q.Value) != "second" {
		t.Errorf("a = %q", q.Value)
	}
	// Commit without a finalized block changes nothing.
	commit(t, app)
	if in := info(t, app); in.LastBlockHeight != 6 || in.Data != `{"size":4}` {
		t.Errorf("Info %+v", in)
	}
}

func TestRetainBlocks(t *testing.T) {
	app := NewInMemoryApplication(Options{RetainBlocks: 2})
	defer app.Close()
	for h := int64(1); h <= 3; h++ {
		finalize(t, app, h)
		resp, err := app.Commit(ctx, &abci.RequestCommit{})
		if err != nil {
			t.Fatal(err)
		}
		want := int64(0)
		if h >= 2 {
			want = h - 1
		}
		if resp.RetainHeight != want {
			t.Errorf("height %d: retain %d, want %d", h, resp.RetainHeight, want)
		}
	}
}

func TestVoteExtensionDefaults(t *testing.T) {
	app := NewInMemoryApplication(Options{})
	defer app.Close()
	ext, err := app.ExtendVote(ctx, &abci.RequestExtendVote{Height: 1})
	if err != nil || len(ext.VoteExtension) != 0 {
		t.Errorf("ExtendVote = %v, %v", ext, err)
	}
	ver, err := app.VerifyVoteExtension(ctx, &abci.RequestVerifyVoteExtension{Height: 1, VoteExtension: []byte("x")})
	if err != nil || ver.Status != abci.ResponseVerifyVoteExtension_ACCEPT {
		t.Errorf("VerifyVoteExtension = %v, %v", ver, err)
	}
}
