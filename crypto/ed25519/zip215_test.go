package ed25519

import (
	"compress/gzip"
	stded25519 "crypto/ed25519"
	"encoding/json"
	"os"
	"testing"
)

// zip215Vectors loads the 196 ZIP-215 test vectors (public key, signature;
// message "Zcash"): small-order and non-canonical encodings of A and R that
// a ZIP-215 verifier must accept.
func zip215Vectors(t testing.TB) [][2][]byte {
	t.Helper()
	f, err := os.Open("testdata/zip215.json.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var raw [][2]string
	if err := json.NewDecoder(zr).Decode(&raw); err != nil {
		t.Fatal(err)
	}
	if len(raw) != 196 {
		t.Fatalf("loaded %d vectors, want 196", len(raw))
	}
	out := make([][2][]byte, len(raw))
	for i, v := range raw {
		out[i] = [2][]byte{mustHex(t, v[0]), mustHex(t, v[1])}
	}
	return out
}

func TestZIP215Vectors(t *testing.T) {
	msg := []byte("Zcash")
	strictRejects := 0
	for i, v := range zip215Vectors(t) {
		pub, sig := PubKey(v[0]), v[1]
		if !pub.VerifySignature(msg, sig) {
			t.Errorf("vector %d: ZIP-215 signature rejected (pub %x sig %x)", i, v[0], sig)
		}
		if !stded25519.Verify(stded25519.PublicKey(v[0]), msg, sig) {
			strictRejects++
		}
	}
	// The point of ZIP-215 rules: most of these are invalid to a strict
	// RFC 8032 verifier. If none were, this test would prove nothing.
	if strictRejects < 100 {
		t.Fatalf("crypto/ed25519 rejected only %d vectors; expected most of them", strictRejects)
	}
}

func TestZIP215AcceptsWhatStrictRejects(t *testing.T) {
	// Vector 2: A is the identity (01 00…00) and R is the identity encoded
	// non-canonically (y = p, 00…0080 read as sign bit set on 0), S = 0.
	// The cofactored check [8](S·B − R − k·A) = 0 holds; crypto/ed25519
	// compares R's bytes with a canonical encoding and rejects.
	pub := mustHex(t, "0100000000000000000000000000000000000000000000000000000000000000")
	sig := mustHex(t, "0000000000000000000000000000000000000000000000000000000000000080"+
		"0000000000000000000000000000000000000000000000000000000000000000")
	msg := []byte("Zcash")
	if stded25519.Verify(pub, msg, sig) {
		t.Fatal("crypto/ed25519 accepted the vector; it no longer demonstrates the difference")
	}
	if !PubKey(pub).VerifySignature(msg, sig) {
		t.Fatal("ZIP-215 verification rejected a signature ZIP-215 accepts")
	}
	bv := NewBatchVerifier()
	if err := bv.Add(PubKey(pub), msg, sig); err != nil {
		t.Fatal(err)
	}
	if ok, valid := bv.Verify(); !ok || !valid[0] {
		t.Fatalf("batch rejected the vector: %v %v", ok, valid)
	}
}
