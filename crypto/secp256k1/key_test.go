package secp256k1

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"testing"

	secp "github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	//lint:ignore SA1019 the secp256k1 address format is RIPEMD-160 by definition
	"golang.org/x/crypto/ripemd160"

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

// scalarOne is the private key 1, whose public key is the generator G.
func scalarOne() PrivKey {
	k := make(PrivKey, PrivKeySize)
	k[31] = 1
	return k
}

func TestPubKeyAndAddressOfGenerator(t *testing.T) {
	// Private key 1: the public key is the compressed generator point, and
	// its HASH160 is the well-known 751e76e8… of Bitcoin's example address.
	pub := scalarOne().PubKey()
	wantPub := "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
	if hex.EncodeToString(pub.Bytes()) != wantPub {
		t.Fatalf("pub = %x, want %s", pub.Bytes(), wantPub)
	}
	if got := hex.EncodeToString(pub.Address()); got != "751e76e8199196d454941c45d1b3a323f1433bd6" {
		t.Fatalf("address = %s", got)
	}
}

func TestAddressMatchesLibraryDerivation(t *testing.T) {
	seed := uint64(5)
	rng := rand.New(rand.NewPCG(seed, seed))
	for i := range 10 {
		raw := make([]byte, 32)
		for j := range raw {
			raw[j] = byte(rng.Uint32())
		}
		priv, err := PrivKeyFromBytes(raw)
		if err != nil {
			t.Fatalf("seed %d case %d: %v", seed, i, err)
		}
		// Derive independently: the library's own point multiplication and
		// serialisation, then SHA-256 and RIPEMD-160.
		libPub := secp.PrivKeyFromBytes(raw).PubKey().SerializeCompressed()
		sha := sha256.Sum256(libPub)
		rh := ripemd160.New()
		rh.Write(sha[:])
		want := rh.Sum(nil)

		pub := priv.PubKey()
		if !bytes.Equal(pub.Bytes(), libPub) {
			t.Fatalf("seed %d case %d: pub %x, library %x", seed, i, pub.Bytes(), libPub)
		}
		if !bytes.Equal(pub.Address(), want) || len(pub.Address()) != crypto.AddressSize {
			t.Fatalf("seed %d case %d: address %x, want %x", seed, i, pub.Address(), want)
		}
	}
}

func TestSignKnownVector(t *testing.T) {
	// RFC 6979 deterministic signature with private key 1 over
	// SHA-256("Satoshi Nakamoto"), a widely published secp256k1 vector.
	sig, err := scalarOne().Sign([]byte("Satoshi Nakamoto"))
	if err != nil {
		t.Fatal(err)
	}
	want := "934b1ea10a4b3c1757e2b0c017d0b6143ce3c9a7e6a4a49860d7a6ab210ee3d8" +
		"2442ce9d2b916064108014783e923ec36b49743e2ffa1c4496f01a512aafd9e5"
	if hex.EncodeToString(sig) != want {
		t.Fatalf("sig = %x, want %s", sig, want)
	}
}

func TestSignVerifyRoundTrip(t *testing.T) {
	seed := uint64(11)
	rng := rand.New(rand.NewPCG(seed, seed))
	for i := range 20 {
		priv, err := GenPrivKeyFromReader(rngReader{rng})
		if err != nil {
			t.Fatal(err)
		}
		pub := priv.PubKey()
		msg := make([]byte, rng.IntN(200))
		for j := range msg {
			msg[j] = byte(rng.Uint32())
		}
		sig, err := priv.Sign(msg)
		if err != nil {
			t.Fatal(err)
		}
		if len(sig) != SignatureSize {
			t.Fatalf("signature has %d bytes", len(sig))
		}
		if !pub.VerifySignature(msg, sig) {
			t.Fatalf("seed %d case %d: own signature rejected", seed, i)
		}
		var s secp.ModNScalar
		s.SetByteSlice(sig[32:])
		if s.IsOverHalfOrder() {
			t.Fatalf("seed %d case %d: Sign produced high S", seed, i)
		}
		if pub.VerifySignature(append(bytes.Clone(msg), 1), sig) {
			t.Fatalf("seed %d case %d: signature accepted for another message", seed, i)
		}
		bad := bytes.Clone(sig)
		bad[rng.IntN(len(bad))] ^= 1 << rng.IntN(8)
		if pub.VerifySignature(msg, bad) {
			t.Fatalf("seed %d case %d: corrupted signature accepted", seed, i)
		}
		other := GenPrivKey().PubKey()
		if other.VerifySignature(msg, sig) {
			t.Fatalf("seed %d case %d: signature accepted under another key", seed, i)
		}
	}
}

type rngReader struct{ rng *rand.Rand }

func (r rngReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r.rng.Uint32())
	}
	return len(p), nil
}

func TestVerifyRejectsHighS(t *testing.T) {
	priv := scalarOne()
	msg := []byte("high s")
	sig, err := priv.Sign(msg)
	if err != nil {
		t.Fatal(err)
	}
	var r, s secp.ModNScalar
	r.SetByteSlice(sig[:32])
	s.SetByteSlice(sig[32:])
	s.Negate() // n - s: the malleated twin, also a valid plain-ECDSA signature
	high := make([]byte, SignatureSize)
	copy(high, sig[:32])
	s.PutBytesUnchecked(high[32:])

	pub := priv.PubKey().(PubKey)
	parsed, err := secp.ParsePubKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	hash := sha256.Sum256(msg)
	if !ecdsa.NewSignature(&r, &s).Verify(hash[:], parsed) {
		t.Fatal("test setup: the high-S twin should satisfy plain ECDSA")
	}
	if pub.VerifySignature(msg, high) {
		t.Fatal("high-S signature accepted")
	}
}

func TestVerifyRejectsMalformed(t *testing.T) {
	priv := scalarOne()
	pub := priv.PubKey().(PubKey)
	msg := []byte("m")
	sig, err := priv.Sign(msg)
	if err != nil {
		t.Fatal(err)
	}
	order := mustHex(t, "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
	rPlusN := bytes.Clone(sig)
	copy(rPlusN[:32], order) // r = n reduces to 0
	cases := map[string][]byte{
		"short":      sig[:63],
		"long":       append(bytes.Clone(sig), 0),
		"zero":       make([]byte, 64),
		"r equals n": rPlusN,
		"DER":        ecdsa.Sign(secp.PrivKeyFromBytes(priv), msg).Serialize(),
	}
	for name, bad := range cases {
		if pub.VerifySignature(msg, bad) {
			t.Errorf("%s signature accepted", name)
		}
	}
	notPoint := PubKey(bytes.Clone(pub))
	notPoint[0] = 0x05
	if notPoint.VerifySignature(msg, sig) || PubKey(pub[:32]).VerifySignature(msg, sig) {
		t.Fatal("malformed key accepted")
	}
}

func TestKeyConstructors(t *testing.T) {
	if _, err := PubKeyFromBytes(make([]byte, 32)); !errors.Is(err, ErrKeySize) {
		t.Fatalf("32-byte pub: err = %v", err)
	}
	if _, err := PrivKeyFromBytes(make([]byte, 31)); !errors.Is(err, ErrKeySize) {
		t.Fatalf("31-byte priv: err = %v", err)
	}
	if _, err := PrivKeyFromBytes(make([]byte, 32)); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("zero priv: err = %v", err)
	}
	if _, err := PrivKeyFromBytes(bytes.Repeat([]byte{0xff}, 32)); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("priv ≥ n: err = %v", err)
	}
	if _, err := PrivKey(make([]byte, 32)).Sign(nil); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("Sign with zero key: err = %v", err)
	}
	k := GenPrivKey()
	back, err := PrivKeyFromBytes(k)
	if err != nil || !back.Equals(k) || back.Equals(GenPrivKey()) {
		t.Fatalf("PrivKeyFromBytes round trip: %v", err)
	}
	p1 := k.PubKey()
	p2, err := PubKeyFromBytes(p1.Bytes())
	if err != nil || !p1.Equals(p2) || p1.Equals(GenPrivKey().PubKey()) {
		t.Fatalf("PubKey Equals wrong: %v", err)
	}
	if p1.Type() != "secp256k1" || k.Type() != "secp256k1" {
		t.Fatal("Type wrong")
	}
	if k.String() != "PrivKeySecp256k1{<redacted>}" {
		t.Fatalf("PrivKey String = %s", k.String())
	}
}
