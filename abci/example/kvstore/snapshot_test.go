package kvstore

import (
	"bytes"
	"math/rand"
	"testing"

	"github.com/cosmos/gogoproto/proto"

	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// source builds an app with snapshots every 5 heights and tiny chunks, runs 12 heights and
// returns it with its newest snapshot (height 10).
func source(t *testing.T) (*Application, *abci.Snapshot) {
	t.Helper()
	app := NewInMemoryApplication(Options{SnapshotInterval: 5, SnapshotChunkSize: 40, SnapshotKeepRecent: 3})
	if _, err := app.InitChain(ctx, &abci.RequestInitChain{Validators: []abci.ValidatorUpdate{ed25519Update(testPubKey("g"), 4)}}); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewSource(7))
	for h := int64(1); h <= 12; h++ {
		block(t, app, h, randomBlock(rng, 6)...)
	}
	list, err := app.ListSnapshots(ctx, &abci.RequestListSnapshots{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Snapshots) != 2 || list.Snapshots[0].Height != 10 || list.Snapshots[1].Height != 5 {
		t.Fatalf("snapshots %v, want heights 10 and 5", list.Snapshots)
	}
	s := list.Snapshots[0]
	if s.Format != SnapshotFormat || s.Chunks < 2 {
		t.Fatalf("snapshot %v: want format 1 and several chunks", s)
	}
	return app, s
}

func loadChunks(t *testing.T, app *Application, s *abci.Snapshot) [][]byte {
	t.Helper()
	chunks := make([][]byte, s.Chunks)
	for i := range chunks {
		resp, err := app.LoadSnapshotChunk(ctx, &abci.RequestLoadSnapshotChunk{Height: s.Height, Format: s.Format, Chunk: uint32(i)})
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.Chunk) == 0 {
			t.Fatalf("chunk %d empty", i)
		}
		chunks[i] = resp.Chunk
	}
	return chunks
}

// appHashAt returns the app hash of app's state at snapshot height h, which a node would
// know from the light-client-verified header.
func appHashAt(t *testing.T, app *Application, h int64) []byte {
	t.Helper()
	payload := app.mustExportAt(t, h)
	return appHashOfSize(payload.size)
}

func (app *Application) mustExportAt(t *testing.T, h int64) snapshotData {
	t.Helper()
	var chunks [][]byte
	list, _ := app.ListSnapshots(ctx, &abci.RequestListSnapshots{})
	for _, s := range list.Snapshots {
		if int64(s.Height) == h {
			chunks = loadChunks(t, app, s)
		}
	}
	d, err := decodeSnapshot(bytes.Join(chunks, nil))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func offer(t *testing.T, app *Application, s *abci.Snapshot, appHash []byte) abci.ResponseOfferSnapshot_Result {
	t.Helper()
	resp, err := app.OfferSnapshot(ctx, &abci.RequestOfferSnapshot{Snapshot: s, AppHash: appHash})
	if err != nil {
		t.Fatal(err)
	}
	return resp.Result
}

func apply(t *testing.T, app *Application, i int, chunk []byte) *abci.ResponseApplySnapshotChunk {
	t.Helper()
	resp, err := app.ApplySnapshotChunk(ctx, &abci.RequestApplySnapshotChunk{Index: uint32(i), Chunk: chunk, Sender: "peer1"})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestSnapshotRoundTrip(t *testing.T) {
	src, s := source(t)
	defer src.Close()
	chunks := loadChunks(t, src, s)
	trusted := appHashAt(t, src, 10)

	dst := openPersistent(t, t.TempDir(), Options{})
	defer dst.Close()
	if r := offer(t, dst, s, trusted); r != abci.ResponseOfferSnapshot_ACCEPT {
		t.Fatalf("offer: %v", r)
	}
	// Apply in reverse order; a corrupted chunk is refetched and its sender rejected.
	for i := len(chunks) - 1; i >= 0; i-- {
		if i == 1 {
			bad := append([]byte(nil), chunks[i]...)
			bad[0] ^= 0xff
			resp := apply(t, dst, i, bad)
			if resp.Result != abci.ResponseApplySnapshotChunk_RETRY || len(resp.RefetchChunks) != 1 ||
				resp.RefetchChunks[0] != 1 || len(resp.RejectSenders) != 1 || resp.RejectSenders[0] != "peer1" {
				t.Fatalf("corrupt chunk: %v", resp)
			}
		}
		if resp := apply(t, dst, i, chunks[i]); resp.Result != abci.ResponseApplySnapshotChunk_ACCEPT {
			t.Fatalf("chunk %d: %v", i, resp)
		}
	}
	in := info(t, dst)
	if in.LastBlockHeight != 10 || !bytes.Equal(in.LastBlockAppHash, trusted) {
		t.Fatalf("restored Info %+v, want height 10 app hash %X", in, trusted)
	}
	for _, k := range []string{"a", "b", "c", "d", "e"} {
		want, got := query(t, src, k, 10), query(t, dst, k, 0)
		if !bytes.Equal(want.Value, got.Value) {
			t.Errorf("%s: restored %q, source at 10 %q", k, got.Value, want.Value)
		}
	}
	if q := query(t, dst, "a", 9); q.Code != CodeTypeHeightUnavailable {
		t.Errorf("query below the snapshot height: %+v", q)
	}
	if v, ok := queryValidator(t, dst, testPubKey("g")); !ok || v.Power != 4 {
		t.Errorf("restored genesis validator %v %v", v, ok)
	}
	// The restored app continues the chain exactly like the source.
	for h := int64(11); h <= 12; h++ {
		txs := []string{"a=x", "cas:a:x:y", "get:a:" + string(rune('0'+h))}
		if h == 12 {
			txs = append(txs, "b=z")
		}
		got := block(t, dst, h, txs...)
		if h == 11 && got.TxResults[1].Code != CodeTypeOK {
			t.Errorf("cas after restore: %v", got.TxResults[1])
		}
	}
	// Committed state is left alone: a second offer aborts.
	if r := offer(t, dst, s, trusted); r != abci.ResponseOfferSnapshot_ABORT {
		t.Errorf("offer to a populated app: %v", r)
	}
}

func TestSnapshotRejections(t *testing.T) {
	src, s := source(t)
	defer src.Close()
	chunks := loadChunks(t, src, s)
	trusted := appHashAt(t, src, 10)

	dst := NewInMemoryApplication(Options{})
	defer dst.Close()
	// Malformed offers.
	other := proto.Clone(s).(*abci.Snapshot)
	other.Format = 2
	if r := offer(t, dst, other, trusted); r != abci.ResponseOfferSnapshot_REJECT_FORMAT {
		t.Errorf("format 2: %v", r)
	}
	other = proto.Clone(s).(*abci.Snapshot)
	other.Metadata = other.Metadata[1:]
	if r := offer(t, dst, other, trusted); r != abci.ResponseOfferSnapshot_REJECT {
		t.Errorf("short metadata: %v", r)
	}
	if r := offer(t, dst, nil, trusted); r != abci.ResponseOfferSnapshot_REJECT {
		t.Errorf("nil snapshot: %v", r)
	}
	if resp := apply(t, dst, 0, chunks[0]); resp.Result != abci.ResponseApplySnapshotChunk_ABORT {
		t.Errorf("chunk without an offer: %v", resp)
	}

	// A snapshot whose state does not produce the trusted app hash is rejected at the end.
	wrong := append([]byte(nil), trusted...)
	wrong[7] ^= 1
	if r := offer(t, dst, s, wrong); r != abci.ResponseOfferSnapshot_ACCEPT {
		t.Fatalf("offer: %v", r)
	}
	var last *abci.ResponseApplySnapshotChunk
	for i, c := range chunks {
		last = apply(t, dst, i, c)
	}
	if last.Result != abci.ResponseApplySnapshotChunk_REJECT_SNAPSHOT {
		t.Fatalf("wrong app hash: %v", last)
	}
	if in := info(t, dst); in.LastBlockHeight != 0 {
		t.Fatalf("rejected snapshot left state: %+v", in)
	}

	// Chunks that match their hashes but not Snapshot.Hash.
	other = proto.Clone(s).(*abci.Snapshot)
	other.Hash[0] ^= 1
	if r := offer(t, dst, other, trusted); r != abci.ResponseOfferSnapshot_ACCEPT {
		t.Fatal(r)
	}
	for i, c := range chunks {
		last = apply(t, dst, i, c)
	}
	if last.Result != abci.ResponseApplySnapshotChunk_REJECT_SNAPSHOT {
		t.Fatalf("wrong payload hash: %v", last)
	}

	if r := offer(t, dst, s, trusted); r != abci.ResponseOfferSnapshot_ACCEPT {
		t.Fatal(r)
	}
	if resp := apply(t, dst, int(s.Chunks), nil); resp.Result != abci.ResponseApplySnapshotChunk_REJECT_SNAPSHOT {
		t.Errorf("out-of-range chunk index: %v", resp)
	}
}

func TestSnapshotCodecRoundTrip(t *testing.T) {
	src, _ := source(t)
	defer src.Close()
	d := src.mustExportAt(t, 10)
	again, err := decodeSnapshot(d.encode())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.encode(), d.encode()) || again.height != 10 {
		t.Fatal("snapshot codec does not round trip")
	}
	for _, bad := range [][]byte{
		{},                           // no header
		{0, 0, 0, 0},                 // height 0
		{1, 1, 0, 0, 9},              // trailing byte
		{1, 1, 0, 1, 1, 'k'},         // truncated pair
		{1, 1, 0, 5, 1, 'k'},         // count larger than the bytes left
		{1, 1, 0, 1, 1, 'k', 0},      // empty value
		{1, 1, 1, 1, 'x', 1, 1},      // validator record that does not decode
		{1, 1, 0, 1, 1, '=', 1, 'v'}, // key with '='
	} {
		if _, err := decodeSnapshot(bad); err == nil {
			t.Errorf("decodeSnapshot(%v) accepted", bad)
		}
	}
}
