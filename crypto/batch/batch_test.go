package batch

import (
	"testing"

	"github.com/ballot-bft/ballot/crypto/ed25519"
	"github.com/ballot-bft/ballot/crypto/secp256k1"
)

func TestNewVerifier(t *testing.T) {
	priv := ed25519.GenPrivKeyFromSecret([]byte("batch"))
	bv, ok := NewVerifier(priv.PubKey())
	if !ok || !Supports(priv.PubKey()) {
		t.Fatal("ed25519 has no batch verifier")
	}
	msg := []byte("vote")
	sig, err := priv.Sign(msg)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := bv.Add(priv.PubKey(), msg, sig); err != nil {
			t.Fatal(err)
		}
	}
	if err := bv.Add(priv.PubKey(), msg, sig[:5]); err != nil {
		t.Fatal(err)
	}
	ok, valid := bv.Verify()
	if ok || len(valid) != 3 || !valid[0] || !valid[1] || valid[2] {
		t.Fatalf("Verify = %v %v, want false [true true false]", ok, valid)
	}

	secp := secp256k1.GenPrivKey().PubKey()
	if bv, ok := NewVerifier(secp); ok || bv != nil || Supports(secp) {
		t.Fatal("secp256k1 claims batch support")
	}
	if _, ok := NewVerifier(nil); ok {
		t.Fatal("nil key claims batch support")
	}
}
