package ed25519

import (
	"fmt"
	"testing"
)

func BenchmarkSign(b *testing.B) {
	priv := GenPrivKeyFromSecret([]byte("bench"))
	msg := make([]byte, 128)
	for b.Loop() {
		if _, err := priv.Sign(msg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	priv := GenPrivKeyFromSecret([]byte("bench"))
	pub := priv.PubKey()
	msg := make([]byte, 128)
	sig, err := priv.Sign(msg)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if !pub.VerifySignature(msg, sig) {
			b.Fatal("rejected")
		}
	}
}

func BenchmarkBatchVerify(b *testing.B) {
	for _, n := range []int{4, 64} {
		b.Run(fmt.Sprintf("sigs=%d", n), func(b *testing.B) {
			entries := makeSigned(b, n, uint64(n))
			for b.Loop() {
				bv := NewBatchVerifier()
				for _, s := range entries {
					if err := bv.Add(s.pub, s.msg, s.sig); err != nil {
						b.Fatal(err)
					}
				}
				if ok, _ := bv.Verify(); !ok {
					b.Fatal("rejected")
				}
			}
		})
	}
}
