package node

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"

	dbm "github.com/cometbft/cometbft-db"
)

// The tx_index database keeps level 0 uncompacted until indexL0Compaction tables: with random
// keys, 13 tables reach level 0 and none level 1. goleveldb's defaults cannot get there: they
// compact from the fourth table, and hold writes at the twelfth until a compaction has emptied
// level 0, so the loop would end at its bound of 20 write buffers.
func TestIndexDBDefersLevel0Compaction(t *testing.T) {
	cfg := testHome(t)
	db, err := openIndexDB(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	prop := db.(*dbm.GoLevelDB).DB().GetProperty

	const seed = 9
	rng := rand.New(rand.NewPCG(seed, seed))
	var firstKey, firstValue []byte
	const writeBuffer, valueSize = 4 << 20, 4 << 10 // goleveldb's default buffer
	for written := 0; levelFiles(t, prop, 0) < 13 && written < 20*writeBuffer; written += valueSize {
		key, value := fmt.Appendf(nil, "%016x", rng.Uint64()), make([]byte, valueSize)
		for i := 0; i < len(value); i += 8 {
			binary.LittleEndian.PutUint64(value[i:], rng.Uint64())
		}
		if err := db.Set(key, value); err != nil {
			t.Fatal(err)
		}
		if firstKey == nil {
			firstKey, firstValue = key, value
		}
	}
	if l0, l1 := levelFiles(t, prop, 0), levelFiles(t, prop, 1); l0 < 13 || l1 != 0 {
		t.Fatalf("%d tables in level 0 and %d in level 1, want at least 13 and none (seed %d)", l0, l1, seed)
	}
	if got, err := db.Get(firstKey); err != nil || !bytes.Equal(got, firstValue) {
		t.Fatalf("the first value written reads back as %d bytes (err %v)", len(got), err)
	}
}

// levelFiles returns the number of tables in level, from goleveldb's num-files-at-level property.
func levelFiles(t *testing.T, prop func(string) (string, error), level int) int {
	t.Helper()
	v, err := prop("leveldb.num-files-at-level" + strconv.Itoa(level))
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		t.Fatalf("num-files-at-level%d = %q", level, v)
	}
	return n
}
