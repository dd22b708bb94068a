package protoio_test

import (
	"bytes"
	"testing"

	"github.com/ballot-bft/ballot/libs/protoio"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// BenchmarkCheckTxRoundTrip writes and reads one Request{check_tx} with a 250-byte transaction.
func BenchmarkCheckTxRoundTrip(b *testing.B) {
	req := checkTx(250)
	var buf bytes.Buffer
	w := protoio.NewDelimitedWriter(&buf)
	r := protoio.NewDelimitedReader(&buf, 1<<20)
	got := &abci.Request{}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := w.WriteMsg(req); err != nil {
			b.Fatal(err)
		}
		if _, err := r.ReadMsg(got); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckTxWrite writes one Request{check_tx} with a 250-byte transaction.
func BenchmarkCheckTxWrite(b *testing.B) {
	req := checkTx(250)
	var buf bytes.Buffer
	w := protoio.NewDelimitedWriter(&buf)
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if _, err := w.WriteMsg(req); err != nil {
			b.Fatal(err)
		}
	}
}
