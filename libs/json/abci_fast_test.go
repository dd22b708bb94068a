package json

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/cosmos/gogoproto/proto"

	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// jsonpbBytes is the reference: what jsonpbMarshaler makes of m.
func jsonpbBytes(t testing.TB, m proto.Message) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jsonpbMarshaler.Marshal(&buf, m); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// randomString draws from pieces that exercise every escaping rule of encoding/json.
func randomString(rng *rand.Rand) string {
	pieces := []string{"", "a", "Z9", " ", "\"", "\\", "<", ">", "&", "\n", "\x00", "\x1f", "\x7f",
		"é", "\u2028", "\u2029", "\xff", "\xc3", "😀", "app.key", "tx.height"}
	var s string
	for range rng.IntN(6) {
		s += pieces[rng.IntN(len(pieces))]
	}
	return s
}

func randomEvents(rng *rand.Rand) []abci.Event {
	if rng.IntN(4) == 0 {
		return nil
	}
	events := make([]abci.Event, rng.IntN(3))
	for i := range events {
		events[i].Type = randomString(rng)
		if rng.IntN(3) > 0 {
			events[i].Attributes = make([]abci.EventAttribute, rng.IntN(3))
		}
		for j := range events[i].Attributes {
			events[i].Attributes[j] = abci.EventAttribute{Key: randomString(rng), Value: randomString(rng), Index: rng.IntN(2) == 0}
		}
	}
	return events
}

func randomData(rng *rand.Rand) []byte {
	switch rng.IntN(3) {
	case 0:
		return nil
	case 1:
		return []byte{}
	}
	b := make([]byte, rng.IntN(40))
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

func TestFastABCIEncodingIsJsonpbs(t *testing.T) {
	const seed = 20261123
	rng := rand.New(rand.NewPCG(seed, 0))
	for i := range 3000 {
		exec := &abci.ExecTxResult{Code: rng.Uint32() % 4, Data: randomData(rng), Log: randomString(rng), Info: randomString(rng),
			GasWanted: rng.Int64N(1<<62) - 1<<61, GasUsed: rng.Int64N(100), Events: randomEvents(rng), Codespace: randomString(rng)}
		check := &abci.ResponseCheckTx{Code: rng.Uint32(), Data: randomData(rng), Log: randomString(rng), Info: randomString(rng),
			GasWanted: rng.Int64(), GasUsed: -rng.Int64(), Events: randomEvents(rng), Codespace: randomString(rng)}
		attr := &abci.EventAttribute{Key: randomString(rng), Value: randomString(rng), Index: rng.IntN(2) == 0}
		for _, m := range []proto.Message{exec, check, attr} {
			got, ok := marshalABCIFast(m)
			if !ok {
				t.Fatalf("%T has no fast encoding", m)
			}
			if want := jsonpbBytes(t, m); !bytes.Equal(got, want) {
				t.Fatalf("seed %d case %d, %T:\n got %s\nwant %s", seed, i, m, got, want)
			}
		}
	}
}

func FuzzFastABCIEncodingIsJsonpbs(f *testing.F) {
	f.Add(uint32(0), []byte(nil), "log", "<info>", int64(-1), "type", "key", "\xff\u2028", true)
	f.Fuzz(func(t *testing.T, code uint32, data []byte, log, info string, gas int64, typ, key, value string, index bool) {
		m := &abci.ExecTxResult{Code: code, Data: data, Log: log, Info: info, GasWanted: gas, GasUsed: -gas,
			Events: []abci.Event{{Type: typ, Attributes: []abci.EventAttribute{{Key: key, Value: value, Index: index}}}}, Codespace: value}
		got, _ := marshalABCIFast(m)
		if want := jsonpbBytes(t, m); !bytes.Equal(got, want) {
			t.Fatalf("\n got %s\nwant %s", got, want)
		}
	})
}

func benchResult() *abci.ExecTxResult {
	return &abci.ExecTxResult{Data: []byte("ok"), GasWanted: 1, GasUsed: 1, Events: []abci.Event{{Type: "app", Attributes: []abci.EventAttribute{
		{Key: "creator", Value: "Cosmoshi Netowoko", Index: true}, {Key: "key", Value: "k-0123456789", Index: true},
		{Key: "index_key", Value: "index is working", Index: true}, {Key: "noindex_key", Value: "index is working"}}}}}
}

// BenchmarkExecTxResultJSON: one kvstore tx result, as a NewBlock event carries one per tx.
func BenchmarkExecTxResultJSON(b *testing.B) {
	m := benchResult()
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			marshalABCIFast(m)
		}
	})
	b.Run("jsonpb", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			jsonpbBytes(b, m)
		}
	})
}
