package encoding

import (
	"encoding/json"
	"testing"

	"github.com/ballot-bft/ballot/crypto/ed25519"
	"github.com/ballot-bft/ballot/crypto/secp256k1"
	pcrypto "github.com/ballot-bft/ballot/proto/tendermint/crypto"
)

// FuzzPubKeyFromProto decodes arbitrary bytes as a wire PublicKey: nothing
// may panic, and an accepted key must re-encode to an equal PublicKey.
func FuzzPubKeyFromProto(f *testing.F) {
	edPB, _ := PubKeyToProto(ed25519.GenPrivKeyFromSecret([]byte("a")).PubKey())
	secpPB, _ := PubKeyToProto(secp256k1.PrivKey(append(make([]byte, 31), 1)).PubKey())
	for _, pb := range []pcrypto.PublicKey{edPB, secpPB, {Sum: &pcrypto.PublicKey_Mldsa65{Mldsa65: []byte{1, 2}}}, {}} {
		bz, err := pb.Marshal()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(bz)
	}
	f.Add([]byte{0x0a, 0x01, 0x00})
	f.Fuzz(func(t *testing.T, bz []byte) {
		var pb pcrypto.PublicKey
		if err := pb.Unmarshal(bz); err != nil {
			return
		}
		k, err := PubKeyFromProto(pb)
		if err != nil {
			if k != nil {
				t.Fatalf("error %v with a key", err)
			}
			return
		}
		back, err := PubKeyToProto(k)
		if err != nil {
			t.Fatalf("decoded key does not re-encode: %v", err)
		}
		if !back.Equal(&pb) {
			t.Fatalf("re-encoded %v, decoded from %v", back, pb)
		}
		_ = k.Address()
		_ = k.VerifySignature([]byte("m"), make([]byte, 64))
	})
}

// FuzzJSONPubKey decodes arbitrary JSON as a typed public key: nothing may
// panic, and an accepted key must survive a marshal/unmarshal round trip.
func FuzzJSONPubKey(f *testing.F) {
	f.Add([]byte(`{"type":"tendermint/PubKeyEd25519","value":"JEa/zOr5ysvDJWJov8eRHurTKaeHuhi04jnJ6cUNBik="}`))
	f.Add([]byte(`{"type":"tendermint/PubKeySecp256k1","value":"Anm+Zn753LusVaBilc6HCwcCm/zbLc4o2VnygVsW+BeY"}`))
	f.Add([]byte(`{"type":"cometbft/PubKeyMlDsa65","value":""}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"type":"x","value":"%%"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var j JSONPubKey
		if err := json.Unmarshal(data, &j); err != nil || j.PubKey == nil {
			return
		}
		out, err := json.Marshal(j)
		if err != nil {
			t.Fatalf("decoded key does not marshal: %v", err)
		}
		var back JSONPubKey
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("re-decoding %s: %v", out, err)
		}
		if !back.Equals(j.PubKey) {
			t.Fatalf("round trip changed the key: %s", out)
		}
	})
}

// FuzzJSONPrivKey decodes arbitrary JSON as a typed private key: nothing may
// panic, and an accepted key must be usable and round-trip.
func FuzzJSONPrivKey(f *testing.F) {
	f.Add([]byte(`{"type":"tendermint/PrivKeyEd25519","value":"SUIEW55e18f1cOVOySOcOhIcG6nSWq1jdvNN3HgYR/xIIkeH9GC368uBaVxZ8XkHSxs2PFcW35Za8j1fKHVjog=="}`))
	f.Add([]byte(`{"type":"tendermint/PrivKeySecp256k1","value":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE="}`))
	f.Add([]byte(`{"type":"tendermint/PrivKeySecp256k1","value":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var j JSONPrivKey
		if err := json.Unmarshal(data, &j); err != nil || j.PrivKey == nil {
			return
		}
		sig, err := j.Sign([]byte("fuzz"))
		if err != nil {
			t.Fatalf("decoded key cannot sign: %v", err)
		}
		if !j.PubKey().VerifySignature([]byte("fuzz"), sig) {
			t.Fatal("decoded key's signature does not verify")
		}
		out, err := json.Marshal(j)
		if err != nil {
			t.Fatalf("decoded key does not marshal: %v", err)
		}
		var back JSONPrivKey
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("re-decoding: %v", err)
		}
		if string(back.Bytes()) != string(j.Bytes()) {
			t.Fatal("round trip changed the key")
		}
	})
}
