package ed25519

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

type signed struct {
	pub      PubKey
	msg, sig []byte
}

func makeSigned(t testing.TB, n int, seed uint64) []signed {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, seed))
	out := make([]signed, n)
	for i := range out {
		priv := GenPrivKeyFromSecret(fmt.Appendf(nil, "key-%d-%d", seed, i%7))
		msg := make([]byte, 64+rng.IntN(64))
		for j := range msg {
			msg[j] = byte(rng.Uint32())
		}
		sig, err := priv.Sign(msg)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = signed{pub: priv.PubKey().(PubKey), msg: msg, sig: sig}
	}
	return out
}

func TestBatchAllValid(t *testing.T) {
	for _, n := range []int{1, 2, 4, 64, 150} {
		bv := NewBatchVerifier()
		for _, s := range makeSigned(t, n, uint64(n)) {
			if err := bv.Add(s.pub, s.msg, s.sig); err != nil {
				t.Fatal(err)
			}
		}
		ok, valid := bv.Verify()
		if !ok || len(valid) != n {
			t.Fatalf("n=%d: ok=%v, %d results", n, ok, len(valid))
		}
		for i, v := range valid {
			if !v {
				t.Fatalf("n=%d: entry %d reported invalid", n, i)
			}
		}
	}
}

func TestBatchReportsBadEntries(t *testing.T) {
	seed := uint64(42)
	rng := rand.New(rand.NewPCG(seed, seed))
	entries := makeSigned(t, 32, seed)
	bad := map[int]string{}
	for len(bad) < 4 {
		i := rng.IntN(len(entries))
		if _, already := bad[i]; already {
			continue
		}
		switch len(bad) {
		case 0:
			entries[i].sig = append([]byte(nil), entries[i].sig...)
			entries[i].sig[3] ^= 0x40
			bad[i] = "flipped R"
		case 1:
			entries[i].msg = append(append([]byte(nil), entries[i].msg...), '!')
			bad[i] = "other message"
		case 2:
			entries[i].sig = entries[i].sig[:10]
			bad[i] = "short signature"
		case 3:
			other := entries[(i+1)%len(entries)].pub
			if other.Equals(entries[i].pub) {
				continue
			}
			entries[i].pub = other
			bad[i] = "other key"
		}
	}
	bv := NewBatchVerifier()
	for _, s := range entries {
		if err := bv.Add(s.pub, s.msg, s.sig); err != nil {
			t.Fatal(err)
		}
	}
	ok, valid := bv.Verify()
	if ok {
		t.Fatalf("seed %d: batch with bad entries %v passed", seed, bad)
	}
	for i, v := range valid {
		_, isBad := bad[i]
		if v == isBad {
			t.Fatalf("seed %d: entry %d valid=%v, bad=%q", seed, i, v, bad[i])
		}
		// Batch and single verification must agree entry by entry.
		if single := entries[i].pub.VerifySignature(entries[i].msg, entries[i].sig); single != v {
			t.Fatalf("seed %d: entry %d batch=%v single=%v", seed, i, v, single)
		}
	}
}

func TestBatchZIP215VectorsAgreeWithSingle(t *testing.T) {
	msg := []byte("Zcash")
	bv := NewBatchVerifier()
	vectors := zip215Vectors(t)
	for _, v := range vectors {
		if err := bv.Add(PubKey(v[0]), msg, v[1]); err != nil {
			t.Fatal(err)
		}
	}
	ok, valid := bv.Verify()
	if !ok {
		t.Fatalf("batch of ZIP-215 vectors rejected: %v", valid)
	}
}

func TestBatchRejectsForeignKeys(t *testing.T) {
	bv := NewBatchVerifier()
	if err := bv.Add(otherKey{make([]byte, 32)}, nil, nil); err == nil {
		t.Fatal("foreign key type accepted")
	}
	if err := bv.Add(PubKey(make([]byte, 31)), nil, nil); err == nil {
		t.Fatal("31-byte key accepted")
	}
	if ok, valid := bv.Verify(); ok || valid != nil {
		t.Fatalf("empty batch: %v %v", ok, valid)
	}
}
