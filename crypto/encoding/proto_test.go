package encoding

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/ballot-bft/ballot/crypto"
	"github.com/ballot-bft/ballot/crypto/ed25519"
	"github.com/ballot-bft/ballot/crypto/secp256k1"
	pcrypto "github.com/ballot-bft/ballot/proto/tendermint/crypto"
)

func TestPubKeyProtoRoundTrip(t *testing.T) {
	keys := []crypto.PubKey{
		ed25519.GenPrivKeyFromSecret([]byte("test")).PubKey(),
		secp256k1.GenPrivKey().PubKey(),
	}
	for _, k := range keys {
		pb, err := PubKeyToProto(k)
		if err != nil {
			t.Fatalf("%s: %v", k.Type(), err)
		}
		bz, err := pb.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		var back pcrypto.PublicKey
		if err := back.Unmarshal(bz); err != nil {
			t.Fatal(err)
		}
		got, err := PubKeyFromProto(back)
		if err != nil {
			t.Fatalf("%s: %v", k.Type(), err)
		}
		if !got.Equals(k) {
			t.Fatalf("%s: round trip gave %v", k.Type(), got)
		}
	}
}

func TestPubKeyProtoWireVector(t *testing.T) {
	// types.md §8: the ed25519 key of SHA256("test") inside SimpleValidator is
	// 0a 22 | 0a 20 <32 bytes>: field 1 of PublicKey is the ed25519 bytes.
	k := ed25519.GenPrivKeyFromSecret([]byte("test")).PubKey()
	pb, err := PubKeyToProto(k)
	if err != nil {
		t.Fatal(err)
	}
	bz, err := pb.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	want := append([]byte{0x0a, 0x20}, k.Bytes()...)
	if !bytes.Equal(bz, want) {
		t.Fatalf("proto = %x, want %x", bz, want)
	}
}

func TestPubKeyFromProtoCopies(t *testing.T) {
	raw := bytes.Repeat([]byte{9}, 32)
	k, err := PubKeyFromProto(pcrypto.PublicKey{Sum: &pcrypto.PublicKey_Ed25519{Ed25519: raw}})
	if err != nil {
		t.Fatal(err)
	}
	raw[0] = 0
	if k.Bytes()[0] != 9 {
		t.Fatal("decoded key aliases the proto's bytes")
	}
}

func TestPubKeyFromProtoErrors(t *testing.T) {
	tests := []struct {
		name    string
		pk      pcrypto.PublicKey
		target  error
		wantMsg string
	}{
		{"empty oneof", pcrypto.PublicKey{}, ErrEmptyKey, "no key field set"},
		{"short ed25519", pcrypto.PublicKey{Sum: &pcrypto.PublicKey_Ed25519{Ed25519: make([]byte, 31)}}, ed25519.ErrKeySize, "31 bytes, want 32"},
		{"long secp256k1", pcrypto.PublicKey{Sum: &pcrypto.PublicKey_Secp256K1{Secp256K1: make([]byte, 65)}}, secp256k1.ErrKeySize, "65 bytes, want 33"},
		{"mldsa65", pcrypto.PublicKey{Sum: &pcrypto.PublicKey_Mldsa65{Mldsa65: make([]byte, 1952)}}, ErrUnsupportedKey, "ML-DSA-65"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, err := PubKeyFromProto(tc.pk)
			if k != nil || !errors.Is(err, tc.target) || !strings.Contains(err.Error(), tc.wantMsg) {
				t.Fatalf("got %v, %v; want error %v containing %q", k, err, tc.target, tc.wantMsg)
			}
		})
	}
}

type fakeKey struct{ ed25519.PubKey }

func TestPubKeyToProtoErrors(t *testing.T) {
	if _, err := PubKeyToProto(nil); !errors.Is(err, ErrEmptyKey) {
		t.Fatalf("nil: %v", err)
	}
	if _, err := PubKeyToProto(fakeKey{}); !errors.Is(err, ErrUnsupportedKey) {
		t.Fatalf("foreign type: %v", err)
	}
	if _, err := PubKeyToProto(ed25519.PubKey(make([]byte, 5))); !errors.Is(err, ed25519.ErrKeySize) {
		t.Fatalf("short ed25519: %v", err)
	}
	if _, err := PubKeyToProto(secp256k1.PubKey(make([]byte, 5))); !errors.Is(err, secp256k1.ErrKeySize) {
		t.Fatalf("short secp256k1: %v", err)
	}
}

func TestPubKeyFromTypeAndBytes(t *testing.T) {
	edRaw := ed25519.GenPrivKeyFromSecret([]byte("x")).PubKey().Bytes()
	k, err := PubKeyFromTypeAndBytes("ed25519", edRaw)
	if err != nil || k.Type() != "ed25519" || !bytes.Equal(k.Bytes(), edRaw) {
		t.Fatalf("ed25519: %v, %v", k, err)
	}
	secpRaw := secp256k1.GenPrivKey().PubKey().Bytes()
	k, err = PubKeyFromTypeAndBytes("secp256k1", secpRaw)
	if err != nil || k.Type() != "secp256k1" || !bytes.Equal(k.Bytes(), secpRaw) {
		t.Fatalf("secp256k1: %v, %v", k, err)
	}
	if _, err := PubKeyFromTypeAndBytes("ed25519", secpRaw); !errors.Is(err, ed25519.ErrKeySize) {
		t.Fatalf("wrong size: %v", err)
	}
	if _, err := PubKeyFromTypeAndBytes("sr25519", edRaw); !errors.Is(err, ErrUnsupportedKey) || !strings.Contains(err.Error(), "sr25519") {
		t.Fatalf("unknown type: %v", err)
	}
	if _, err := PubKeyFromTypeAndBytes("ml_dsa_65", make([]byte, 1952)); !errors.Is(err, ErrUnsupportedKey) {
		t.Fatalf("ml_dsa_65: %v", err)
	}
}
