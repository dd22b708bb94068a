package ed25519

import (
	"bytes"
	stded25519 "crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/ballot-bft/ballot/crypto"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustB64(t testing.TB, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGenPrivKeyFromSecretVectors(t *testing.T) {
	// types.md §8 [RUN] for "test"; the "a" values were computed with Go's
	// crypto/ed25519 and match the prefixes (eae1c879…, 2c4e4d1d…) in the
	// task's fact list.
	tests := []struct {
		secret, pub, addr string
	}{
		{"test", "67d3b5eaf0c0bf6b5a602d359daecc86a7a74053490ec37ae08e71360587c870", "c14ff30999c0d33fc2eff45b09ffee7b4c4a3527"},
		{"a", "eae1c8793b5597c4b3f490e76ac31172c439690f8ee14142bb851a61f9a49f0e", "2c4e4d1de6fbfc05d950fc7e6461be3007dd16e4"},
	}
	for _, tc := range tests {
		priv := GenPrivKeyFromSecret([]byte(tc.secret))
		pub := priv.PubKey()
		if hex.EncodeToString(pub.Bytes()) != tc.pub {
			t.Errorf("%q: pub = %x, want %s", tc.secret, pub.Bytes(), tc.pub)
		}
		if hex.EncodeToString(pub.Address()) != tc.addr {
			t.Errorf("%q: address = %x, want %s", tc.secret, pub.Address(), tc.addr)
		}
		if pub.Address().String() != strings.ToUpper(tc.addr) {
			t.Errorf("%q: address String() = %s, want uppercase %s", tc.secret, pub.Address(), tc.addr)
		}
	}
}

func TestOperatorKeyFiles(t *testing.T) {
	// operator.md §6.2 priv_validator_key.json and §7.
	priv, err := PrivKeyFromBytes(mustB64(t, "vHuBseEYnQ6E7cyuUfSM3AYwL4iQvZN+O2WsGzKeZZQkRr/M6vnKy8MlYmi/x5Ee6tMpp4e6GLTiOcnpxQ0GKQ=="))
	if err != nil {
		t.Fatal(err)
	}
	wantPub := mustB64(t, "JEa/zOr5ysvDJWJov8eRHurTKaeHuhi04jnJ6cUNBik=")
	if !bytes.Equal(priv.PubKey().Bytes(), wantPub) {
		t.Fatalf("validator pub = %X, want %X", priv.PubKey().Bytes(), wantPub)
	}
	if got := priv.PubKey().Address().String(); got != "7D9B1EC512F97B772D1B625448CFEC3ACCF14890" {
		t.Fatalf("validator address = %s", got)
	}

	// operator.md §6.1 node_key.json: node ID is the lowercase hex address.
	node, err := PrivKeyFromBytes(mustB64(t, "SUIEW55e18f1cOVOySOcOhIcG6nSWq1jdvNN3HgYR/xIIkeH9GC368uBaVxZ8XkHSxs2PFcW35Za8j1fKHVjog=="))
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(node.PubKey().Address()); got != "03f997765efe563cca533fe3f2b3ba5f7c96aadb" {
		t.Fatalf("node ID = %s", got)
	}
}

func TestSignMatchesStdlibAndVerifies(t *testing.T) {
	seed := uint64(99)
	rng := rand.New(rand.NewPCG(seed, seed))
	for i := range 20 {
		s := make([]byte, SeedSize)
		for j := range s {
			s[j] = byte(rng.Uint32())
		}
		priv, err := PrivKeyFromSeed(s)
		if err != nil {
			t.Fatal(err)
		}
		msg := make([]byte, rng.IntN(300))
		for j := range msg {
			msg[j] = byte(rng.Uint32())
		}
		sig, err := priv.Sign(msg)
		if err != nil {
			t.Fatal(err)
		}
		if want := stded25519.Sign(stded25519.NewKeyFromSeed(s), msg); !bytes.Equal(sig, want) {
			t.Fatalf("seed %d case %d: signature differs from crypto/ed25519", seed, i)
		}
		pub := priv.PubKey()
		if !pub.VerifySignature(msg, sig) {
			t.Fatalf("seed %d case %d: own signature rejected", seed, i)
		}
		// Verify twice more: the second goes through the cached expanded key.
		if !pub.VerifySignature(msg, sig) {
			t.Fatalf("seed %d case %d: own signature rejected from cache", seed, i)
		}
		bad := bytes.Clone(sig)
		bad[rng.IntN(len(bad))] ^= 1 << rng.IntN(8)
		if pub.VerifySignature(msg, bad) {
			t.Fatalf("seed %d case %d: corrupted signature accepted", seed, i)
		}
		if pub.VerifySignature(append(bytes.Clone(msg), 0), sig) {
			t.Fatalf("seed %d case %d: signature accepted for another message", seed, i)
		}
	}
}

func TestVerifyMalformedInputs(t *testing.T) {
	priv := GenPrivKeyFromSecret([]byte("malformed"))
	pub := priv.PubKey().(PubKey)
	msg := []byte("hello")
	sig, err := priv.Sign(msg)
	if err != nil {
		t.Fatal(err)
	}
	if pub.VerifySignature(msg, sig[:63]) || pub.VerifySignature(msg, append(bytes.Clone(sig), 0)) || pub.VerifySignature(msg, nil) {
		t.Fatal("wrong-length signature accepted")
	}
	if PubKey(pub[:31]).VerifySignature(msg, sig) || PubKey(nil).VerifySignature(msg, sig) {
		t.Fatal("wrong-length key accepted")
	}
	// S ≥ ℓ is rejected even under ZIP-215: add ℓ to S.
	nonCanonicalS := bytes.Clone(sig)
	addOrder(nonCanonicalS[32:])
	if pub.VerifySignature(msg, nonCanonicalS) {
		t.Fatal("signature with S + ℓ accepted")
	}
	// A y-coordinate that is not on the curve (2 is not a valid y) fails.
	notAPoint := make(PubKey, PubKeySize)
	notAPoint[0] = 2
	if notAPoint.VerifySignature(msg, sig) {
		t.Fatal("key that is not a curve point accepted")
	}
}

// addOrder adds the group order ℓ to the little-endian 32-byte scalar s.
func addOrder(s []byte) {
	order := [32]byte{
		0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
	}
	carry := 0
	for i := range s {
		v := int(s[i]) + int(order[i]) + carry
		s[i] = byte(v)
		carry = v >> 8
	}
}

func TestKeyConstructors(t *testing.T) {
	if _, err := PubKeyFromBytes(make([]byte, 31)); !errors.Is(err, ErrKeySize) {
		t.Fatalf("31-byte pub: err = %v", err)
	}
	if _, err := PrivKeyFromSeed(make([]byte, 33)); !errors.Is(err, ErrKeySize) {
		t.Fatalf("33-byte seed: err = %v", err)
	}
	if _, err := PrivKeyFromBytes(make([]byte, 32)); !errors.Is(err, ErrKeySize) {
		t.Fatalf("32-byte priv: err = %v", err)
	}
	good := GenPrivKeyFromSecret([]byte("x"))
	mismatched := bytes.Clone(good)
	mismatched[40] ^= 1
	if _, err := PrivKeyFromBytes(mismatched); !errors.Is(err, ErrKeyMismatch) {
		t.Fatalf("mismatched halves: err = %v", err)
	}
	back, err := PrivKeyFromBytes(good)
	if err != nil || !back.Equals(good) {
		t.Fatalf("PrivKeyFromBytes(good) = %v, %v", back, err)
	}
	if _, err := PrivKey(good[:10]).Sign([]byte("m")); !errors.Is(err, ErrKeySize) {
		t.Fatalf("short key Sign: err = %v", err)
	}
	if _, err := GenPrivKeyFromReader(bytes.NewReader(make([]byte, 5))); err == nil {
		t.Fatal("short reader accepted")
	}
	k1, k2 := GenPrivKey(), GenPrivKey()
	if k1.Equals(k2) || len(k1) != PrivKeySize {
		t.Fatal("GenPrivKey returned equal or malformed keys")
	}
	if _, err := PrivKeyFromBytes(k1); err != nil {
		t.Fatalf("generated key inconsistent: %v", err)
	}
}

func TestEqualsAndType(t *testing.T) {
	a := GenPrivKeyFromSecret([]byte("a")).PubKey()
	a2, err := PubKeyFromBytes(a.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	b := GenPrivKeyFromSecret([]byte("b")).PubKey()
	if !a.Equals(a2) || a.Equals(b) || a.Equals(otherKey{a.Bytes()}) {
		t.Fatal("Equals wrong")
	}
	if a.Type() != "ed25519" || GenPrivKeyFromSecret(nil).Type() != "ed25519" {
		t.Fatal("Type wrong")
	}
	if s := GenPrivKeyFromSecret([]byte("a")).String(); strings.Contains(strings.ToLower(s), "eae1") {
		t.Fatalf("PrivKey String leaks key material: %s", s)
	}
	if s := a.(PubKey).String(); s != "PubKeyEd25519{EAE1C8793B5597C4B3F490E76AC31172C439690F8EE14142BB851A61F9A49F0E}" {
		t.Fatalf("PubKey String = %s", s)
	}
}

// otherKey is a crypto.PubKey of a different type with the same bytes.
type otherKey struct{ b []byte }

func (k otherKey) Address() crypto.Address          { return nil }
func (k otherKey) Bytes() []byte                    { return k.b }
func (k otherKey) VerifySignature(_, _ []byte) bool { return false }
func (k otherKey) Equals(crypto.PubKey) bool        { return false }
func (k otherKey) Type() string                     { return "other" }
