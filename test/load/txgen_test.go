package load

import (
	"bytes"
	"testing"
)

func TestTxGenUniqueExactSize(t *testing.T) {
	for _, size := range []int{minTxSize, 64, 250, 1000} {
		g, err := NewTxGen(7, size)
		if err != nil {
			t.Fatal(err)
		}
		seen := make(map[string]bool)
		var buf []byte
		for _, seq := range append(seqRange(0, 5000), 1<<20, 1<<40, maxSeq) {
			buf = g.AppendTx(buf[:0], seq)
			if len(buf) != size {
				t.Fatalf("size %d: tx %d has %d bytes", size, seq, len(buf))
			}
			if seen[string(buf)] {
				t.Fatalf("size %d: tx %d repeats an earlier one: %q", size, seq, buf)
			}
			seen[string(buf)] = true
			if bytes.Count(buf, []byte("=")) != 1 {
				t.Fatalf("tx %q is not a single key=value", buf)
			}
			if got, ok := g.Seq(buf); !ok || got != seq {
				t.Fatalf("Seq(%q) = %d, %v; want %d", buf, got, ok, seq)
			}
		}
	}
}

func seqRange(from, to int64) []int64 {
	var out []int64
	for s := from; s < to; s++ {
		out = append(out, s)
	}
	return out
}

func TestTxGenSeedDecidesRun(t *testing.T) {
	a, _ := NewTxGen(1, 250)
	b, _ := NewTxGen(1, 250)
	c, _ := NewTxGen(2, 250)
	if !bytes.Equal(a.AppendTx(nil, 9), b.AppendTx(nil, 9)) {
		t.Error("same seed, different transactions")
	}
	if a.RunID() == c.RunID() {
		t.Errorf("seeds 1 and 2 share run id %s", a.RunID())
	}
	if _, ok := c.Seq(a.AppendTx(nil, 9)); ok {
		t.Error("run 2 claims a transaction of run 1")
	}
}

func TestTxGenSeqRejectsOthers(t *testing.T) {
	g, _ := NewTxGen(3, 250)
	tx := g.AppendTx(nil, 0xabc)
	for name, bad := range map[string][]byte{
		"short":        tx[:249],
		"long":         append(bytes.Clone(tx), 'x'),
		"other run":    append([]byte("00000000"), tx[8:]...),
		"padding":      append(bytes.Clone(tx[:249]), '#'),
		"no dash":      append(append(bytes.Clone(tx[:8]), '_'), tx[9:]...),
		"upper hex":    bytes.Replace(bytes.Clone(tx), []byte("abc="), []byte("ABC="), 1),
		"non-hex":      bytes.Replace(bytes.Clone(tx), []byte("abc="), []byte("abg="), 1),
		"no separator": bytes.Replace(bytes.Clone(tx), []byte("abc="), []byte("abcc"), 1),
		"plain kv":     []byte("abc=def"),
	} {
		if _, ok := g.Seq(bad); ok {
			t.Errorf("%s: Seq accepted %q", name, bad)
		}
	}
}

func TestTxGenSizeBounds(t *testing.T) {
	for _, size := range []int{-1, 0, minTxSize - 1, maxTxSize + 1} {
		if _, err := NewTxGen(1, size); err == nil {
			t.Errorf("size %d accepted", size)
		}
	}
}

// FuzzTxGenSeq feeds arbitrary committed transactions to Seq: it never panics, and whatever
// it accepts is exactly the transaction it names.
func FuzzTxGenSeq(f *testing.F) {
	g, _ := NewTxGen(11, 40)
	f.Add(g.AppendTx(nil, 0))
	f.Add(g.AppendTx(nil, maxSeq))
	f.Add([]byte("abc=def"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, tx []byte) {
		seq, ok := g.Seq(tx)
		if ok && !bytes.Equal(g.AppendTx(nil, seq), tx) {
			t.Fatalf("Seq(%q) = %d, but that transaction is %q", tx, seq, g.AppendTx(nil, seq))
		}
	})
}
