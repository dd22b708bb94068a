package kvstore

import (
	"bytes"
	"fmt"
	"math/rand"
	"testing"

	"github.com/cosmos/gogoproto/proto"

	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

func openPersistent(t *testing.T, dir string, opts Options) *Application {
	t.Helper()
	app, err := NewPersistentApplication(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return app
}

func TestRestartKeepsState(t *testing.T) {
	dir := t.TempDir()
	app := openPersistent(t, dir, Options{})
	if _, err := app.InitChain(ctx, &abci.RequestInitChain{Validators: []abci.ValidatorUpdate{ed25519Update(testPubKey("g"), 1)}}); err != nil {
		t.Fatal(err)
	}
	block(t, app, 1, "a=1", "b=2")
	block(t, app, 2, "a=3", "get:a:")
	before := info(t, app)
	if err := app.Close(); err != nil {
		t.Fatal(err)
	}

	app = openPersistent(t, dir, Options{})
	defer app.Close()
	after := info(t, app)
	if !proto.Equal(before, after) {
		t.Fatalf("Info changed across restart:\n before %+v\n after  %+v", before, after)
	}
	if q := query(t, app, "a", 1); string(q.Value) != "1" {
		t.Errorf("a at 1 after restart = %q", q.Value)
	}
	if q := query(t, app, "a", 0); string(q.Value) != "3" || q.Height != 2 {
		t.Errorf("a after restart: %+v", q)
	}
	if v, ok := queryValidator(t, app, testPubKey("g")); !ok || v.Power != 1 {
		t.Errorf("genesis validator after restart: %v %v", v, ok)
	}
	// The chain continues from the reported height.
	block(t, app, 3, "c=4")
	if in := info(t, app); in.LastBlockHeight != 3 || in.Data != `{"size":5}` {
		t.Errorf("Info %+v", in)
	}
}

func TestCrashBeforeCommitLosesOnlyTheBlock(t *testing.T) {
	dir := t.TempDir()
	app := openPersistent(t, dir, Options{})
	block(t, app, 1, "a=1")
	committed := info(t, app)
	finalize(t, app, 2, "a=2", "b=2") // finalized, never committed: the process "crashes"
	if err := app.Close(); err != nil {
		t.Fatal(err)
	}
	app = openPersistent(t, dir, Options{})
	defer app.Close()
	if got := info(t, app); !proto.Equal(got, committed) {
		t.Fatalf("Info after crash %+v, want %+v", got, committed)
	}
	if q := query(t, app, "b", 0); q.Value != nil {
		t.Errorf("uncommitted write visible: %+v", q)
	}
	// The node replays height 2.
	block(t, app, 2, "a=2", "b=2")
	if q := query(t, app, "b", 0); string(q.Value) != "2" {
		t.Errorf("b = %q", q.Value)
	}
}

// randomBlock returns n transactions of every kind (valid and not) over a small key space.
func randomBlock(rng *rand.Rand, n int) []string {
	keys := []string{"a", "b", "c", "d", "e"}
	var txs []string
	for range n {
		k := keys[rng.Intn(len(keys))]
		v := fmt.Sprintf("v%d", rng.Intn(4))
		switch rng.Intn(8) {
		case 0, 1, 2:
			txs = append(txs, k+"="+v)
		case 3:
			txs = append(txs, k+":"+v)
		case 4:
			txs = append(txs, string(NewGetTx(k, fmt.Sprint(rng.Int63()))))
		case 5:
			txs = append(txs, string(NewCASTx(k, fmt.Sprintf("v%d", rng.Intn(4)), v, fmt.Sprint(rng.Int63()))))
		case 6:
			txs = append(txs, string(NewValidatorTx("ed25519", testPubKey(k), int64(rng.Intn(3)))))
		default:
			txs = append(txs, "junk"+v)
		}
	}
	return txs
}

func TestDeterminism(t *testing.T) {
	seed := int64(20250611)
	rng := rand.New(rand.NewSource(seed))
	a := NewInMemoryApplication(Options{SnapshotInterval: 4, SnapshotChunkSize: 50})
	b := openPersistent(t, t.TempDir(), Options{SnapshotInterval: 4, SnapshotChunkSize: 50})
	defer a.Close()
	defer b.Close()
	for h := int64(1); h <= 30; h++ {
		txs := randomBlock(rng, rng.Intn(12))
		ra := block(t, a, h, txs...)
		rb := block(t, b, h, txs...)
		if !proto.Equal(ra, rb) {
			t.Fatalf("seed %d height %d: responses differ\n a %v\n b %v", seed, h, ra, rb)
		}
		if ia, ib := info(t, a), info(t, b); !proto.Equal(ia, ib) {
			t.Fatalf("seed %d height %d: Info differs: %v vs %v", seed, h, ia, ib)
		}
	}
	la, err := a.ListSnapshots(ctx, &abci.RequestListSnapshots{})
	if err != nil {
		t.Fatal(err)
	}
	lb, err := b.ListSnapshots(ctx, &abci.RequestListSnapshots{})
	if err != nil {
		t.Fatal(err)
	}
	if len(la.Snapshots) != 2 || !proto.Equal(la, lb) {
		t.Fatalf("seed %d: snapshots differ or not pruned to 2: %v vs %v", seed, la, lb)
	}
	for _, k := range []string{"a", "b", "c", "d", "e"} {
		for h := int64(1); h <= 30; h++ {
			qa, qb := query(t, a, k, h), query(t, b, k, h)
			if !bytes.Equal(qa.Value, qb.Value) || qa.Code != qb.Code {
				t.Fatalf("seed %d: %s at %d: %q vs %q", seed, k, h, qa.Value, qb.Value)
			}
		}
	}
}
