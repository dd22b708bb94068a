package mempool

import (
	"slices"
	"strings"
	"testing"

	"github.com/ballot-bft/ballot/types"
)

// TestProtoSize: a tx's cost inside Data is what types.ComputeProtoSizeForTxs measures, across
// the uvarint length boundaries.
func TestProtoSize(t *testing.T) {
	for _, n := range []int{0, 1, 126, 127, 128, 300, 16383, 16384, 2097151, 2097152} {
		want := types.ComputeProtoSizeForTxs([]types.Tx{make(types.Tx, n)})
		if got := protoSize(n); got != want {
			t.Errorf("protoSize(%d) = %d, want %d", n, got, want)
		}
	}
}

// TestReapMaxBytesMaxGas: FIFO reaping by proto size and gas, stopping at the first tx that does
// not fit.
func TestReapMaxBytesMaxGas(t *testing.T) {
	// Sizes around the 1-byte/2-byte uvarint boundary: inside Data a 126-byte tx costs 128
	// bytes, a 127-byte tx 129 and a 128-byte tx 131.
	txs := types.Txs{
		types.Tx(strings.Repeat("a", 126)), // 128 bytes in Data, gas 1
		types.Tx(strings.Repeat("b", 127)), // 129, gas 2
		types.Tx(strings.Repeat("c", 128)), // 131, gas 3
		types.Tx("d"),                      // 3, gas 4
	}
	gas := map[string]int64{string(txs[0]): 1, string(txs[1]): 2, string(txs[2]): 3, string(txs[3]): 4}
	app := newFakeApp(true)
	app.setScript(gasScript(gas))
	p := newPool(t, app, nil)
	mustAdd(t, p, txs...)

	cases := []struct {
		maxBytes, maxGas int64
		want             int // a prefix of txs
	}{
		{-1, -1, 4},
		{-5, -7, 4}, // any negative limit is no limit
		{0, -1, 0},
		{127, -1, 0},
		{128, -1, 1},
		{128 + 129 - 1, -1, 1},
		{128 + 129, -1, 2},
		{128 + 129 + 131 - 1, -1, 2}, // "d" would fit, but reaping stops at the first misfit
		{128 + 129 + 131 + 3, -1, 4},
		{types.ComputeProtoSizeForTxs(txs), -1, 4},
		{types.ComputeProtoSizeForTxs(txs) - 1, -1, 3},
		{-1, 0, 0},
		{-1, 1, 1},
		{-1, 5, 2}, // 1+2 fit, +3 = 6 does not
		{-1, 6, 3},
		{-1, 9, 3}, // "d" needs 4 more
		{-1, 10, 4},
		{128 + 129, 1, 1}, // the tighter limit wins
	}
	for _, tc := range cases {
		got := p.ReapMaxBytesMaxGas(tc.maxBytes, tc.maxGas)
		if !slices.EqualFunc(got, txs[:tc.want], func(a, b types.Tx) bool { return string(a) == string(b) }) {
			t.Errorf("Reap(%d, %d) returned %d txs, want the first %d", tc.maxBytes, tc.maxGas, len(got), tc.want)
		}
		if size := types.ComputeProtoSizeForTxs(got); tc.maxBytes >= 0 && size > tc.maxBytes {
			t.Errorf("Reap(%d, %d): %d bytes in Data", tc.maxBytes, tc.maxGas, size)
		}
	}
	if p.Size() != 4 {
		t.Fatal("reaping removed txs")
	}
}

func TestReapMaxTxs(t *testing.T) {
	txs := numberedTxs("tx", 5)
	p := newPool(t, newFakeApp(true), nil)
	mustAdd(t, p, txs...)
	for _, tc := range []struct{ max, want int }{{-1, 5}, {0, 0}, {3, 3}, {5, 5}, {9, 5}} {
		got := p.ReapMaxTxs(tc.max)
		if !slices.EqualFunc(got, txs[:tc.want], func(a, b types.Tx) bool { return string(a) == string(b) }) {
			t.Errorf("ReapMaxTxs(%d) = %q, want %q", tc.max, got, txs[:tc.want])
		}
	}
}

// TestReapSkipsRemoved: order survives removals in the middle (and the compaction they cause).
func TestReapSkipsRemoved(t *testing.T) {
	txs := numberedTxs("tx", 3*compactMin)
	p := newPool(t, newFakeApp(true), nil)
	mustAdd(t, p, txs...)
	var want types.Txs
	for i, tx := range txs {
		if i%3 == 0 {
			want = append(want, tx)
			continue
		}
		if err := p.RemoveTxByKey(tx.Key()); err != nil {
			t.Fatal(err)
		}
	}
	got := p.ReapMaxBytesMaxGas(-1, -1)
	if !slices.EqualFunc(got, want, func(a, b types.Tx) bool { return string(a) == string(b) }) {
		t.Fatalf("reaped %d txs, want the %d remaining in order", len(got), len(want))
	}
	var bytes int64
	for _, tx := range want {
		bytes += int64(len(tx))
	}
	if p.Size() != len(want) || p.SizeBytes() != bytes {
		t.Fatalf("Size/SizeBytes = %d/%d, want %d/%d", p.Size(), p.SizeBytes(), len(want), bytes)
	}
}
