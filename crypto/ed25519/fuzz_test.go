package ed25519

import (
	"testing"
)

// FuzzVerifyAgreement feeds arbitrary key, message and signature bytes to
// single and batch verification: neither may panic and both must give the
// same answer, or nodes using different paths could disagree on a commit.
func FuzzVerifyAgreement(f *testing.F) {
	priv := GenPrivKeyFromSecret([]byte("fuzz"))
	msg := []byte("fuzz message")
	sig, err := priv.Sign(msg)
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(priv.PubKey().(PubKey)), msg, sig)
	for _, v := range zip215Vectors(f)[:16] {
		f.Add(v[0], []byte("Zcash"), v[1])
	}
	f.Add(make([]byte, 32), []byte{}, make([]byte, 64))
	f.Fuzz(func(t *testing.T, pub, msg, sig []byte) {
		if len(pub) != PubKeySize {
			if PubKey(pub).VerifySignature(msg, sig) {
				t.Fatal("wrong-length key verified")
			}
			return
		}
		single := PubKey(pub).VerifySignature(msg, sig)
		bv := NewBatchVerifier()
		if err := bv.Add(PubKey(pub), msg, sig); err != nil {
			t.Fatal(err)
		}
		// A second, valid entry makes the batch take the multi-signature path.
		if err := bv.Add(priv.PubKey(), []byte("fuzz message"), goodSig); err != nil {
			t.Fatal(err)
		}
		all, valid := bv.Verify()
		if valid[0] != single || all != single || !valid[1] {
			t.Fatalf("single=%v batch=%v %v for pub %x sig %x", single, all, valid, pub, sig)
		}
	})
}

// goodSig is the signature of "fuzz message" by GenPrivKeyFromSecret("fuzz").
var goodSig = func() []byte {
	sig, err := GenPrivKeyFromSecret([]byte("fuzz")).Sign([]byte("fuzz message"))
	if err != nil {
		panic(err)
	}
	return sig
}()
