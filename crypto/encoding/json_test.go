package encoding

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/ballot-bft/ballot/crypto"
	"github.com/ballot-bft/ballot/crypto/ed25519"
	"github.com/ballot-bft/ballot/crypto/secp256k1"
)

// privValidatorKey is operator.md §6.2's priv_validator_key.json.
const privValidatorKey = `{
  "address": "7D9B1EC512F97B772D1B625448CFEC3ACCF14890",
  "pub_key": {"type": "tendermint/PubKeyEd25519", "value": "JEa/zOr5ysvDJWJov8eRHurTKaeHuhi04jnJ6cUNBik="},
  "priv_key": {"type": "tendermint/PrivKeyEd25519", "value": "vHuBseEYnQ6E7cyuUfSM3AYwL4iQvZN+O2WsGzKeZZQkRr/M6vnKy8MlYmi/x5Ee6tMpp4e6GLTiOcnpxQ0GKQ=="}
}`

// nodeKey is operator.md §6.1's node_key.json.
const nodeKey = `{"priv_key":{"type":"tendermint/PrivKeyEd25519","value":"SUIEW55e18f1cOVOySOcOhIcG6nSWq1jdvNN3HgYR/xIIkeH9GC368uBaVxZ8XkHSxs2PFcW35Za8j1fKHVjog=="}}`

type pvKeyFile struct {
	Address crypto.Address `json:"address"`
	PubKey  JSONPubKey     `json:"pub_key"`
	PrivKey JSONPrivKey    `json:"priv_key"`
}

func TestPrivValidatorKeyFile(t *testing.T) {
	var f pvKeyFile
	if err := json.Unmarshal([]byte(privValidatorKey), &f); err != nil {
		t.Fatal(err)
	}
	if !f.PrivKey.PubKey().Equals(f.PubKey.PubKey) {
		t.Fatal("priv_key's public half differs from pub_key")
	}
	if !bytes.Equal(f.PubKey.Address(), f.Address) {
		t.Fatalf("address %s, file says %s", f.PubKey.Address(), f.Address)
	}
	// Re-encoding gives the file's content (compact form).
	out, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"address":"7D9B1EC512F97B772D1B625448CFEC3ACCF14890",` +
		`"pub_key":{"type":"tendermint/PubKeyEd25519","value":"JEa/zOr5ysvDJWJov8eRHurTKaeHuhi04jnJ6cUNBik="},` +
		`"priv_key":{"type":"tendermint/PrivKeyEd25519","value":"vHuBseEYnQ6E7cyuUfSM3AYwL4iQvZN+O2WsGzKeZZQkRr/M6vnKy8MlYmi/x5Ee6tMpp4e6GLTiOcnpxQ0GKQ=="}}`
	if string(out) != want {
		t.Fatalf("re-encoded:\n%s\nwant:\n%s", out, want)
	}
}

func TestNodeKeyFile(t *testing.T) {
	var f struct {
		PrivKey JSONPrivKey `json:"priv_key"`
	}
	if err := json.Unmarshal([]byte(nodeKey), &f); err != nil {
		t.Fatal(err)
	}
	id := strings.ToLower(f.PrivKey.PubKey().Address().String())
	if id != "03f997765efe563cca533fe3f2b3ba5f7c96aadb" {
		t.Fatalf("node ID = %s", id)
	}
	out, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != nodeKey {
		t.Fatalf("re-encoded %s, want %s", out, nodeKey)
	}
}

func TestSecp256k1JSONRoundTrip(t *testing.T) {
	priv := secp256k1.GenPrivKey()
	out, err := json.Marshal(JSONPrivKey{priv})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(out), `{"type":"tendermint/PrivKeySecp256k1","value":"`) {
		t.Fatalf("priv JSON = %s", out)
	}
	var back JSONPrivKey
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatal(err)
	}
	if !back.PrivKey.(secp256k1.PrivKey).Equals(priv) {
		t.Fatal("private key round trip changed the key")
	}
	out, err = json.Marshal(JSONPubKey{priv.PubKey()})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"type":"tendermint/PubKeySecp256k1","value":"` + base64.StdEncoding.EncodeToString(priv.PubKey().Bytes()) + `"}`
	if string(out) != want {
		t.Fatalf("pub JSON = %s, want %s", out, want)
	}
	var pub JSONPubKey
	if err := json.Unmarshal(out, &pub); err != nil || !pub.Equals(priv.PubKey()) {
		t.Fatalf("pub round trip: %v", err)
	}
}

func TestJSONNull(t *testing.T) {
	out, err := json.Marshal(struct {
		P JSONPubKey  `json:"p"`
		Q JSONPrivKey `json:"q"`
	}{})
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != `{"p":null,"q":null}` {
		t.Fatalf("nil keys = %s", out)
	}
	j := JSONPubKey{ed25519.GenPrivKeyFromSecret(nil).PubKey()}
	if err := j.UnmarshalJSON([]byte("null")); err != nil || j.PubKey != nil {
		t.Fatalf("null: %v, %v", j.PubKey, err)
	}
}

func TestJSONPubKeyErrors(t *testing.T) {
	ed := base64.StdEncoding.EncodeToString(make([]byte, 32))
	tests := []struct {
		name, in, wantMsg string
		target            error
	}{
		{"unknown type", `{"type":"tendermint/PubKeySr25519","value":"` + ed + `"}`, `unknown type name "tendermint/PubKeySr25519"`, ErrUnsupportedKey},
		{"mldsa65", `{"type":"cometbft/PubKeyMlDsa65","value":"AAAA"}`, "cometbft/PubKeyMlDsa65", ErrUnsupportedKey},
		{"bad base64", `{"type":"tendermint/PubKeyEd25519","value":"not*base64"}`, "not valid base64", nil},
		{"value not string", `{"type":"tendermint/PubKeyEd25519","value":12}`, "value must be a base64 string", nil},
		{"short key", `{"type":"tendermint/PubKeyEd25519","value":"AAAA"}`, "3 bytes, want 32", ed25519.ErrKeySize},
		{"secp as ed", `{"type":"tendermint/PubKeySecp256k1","value":"` + ed + `"}`, "32 bytes, want 33", secp256k1.ErrKeySize},
		{"missing type", `{"value":"` + ed + `"}`, `missing "type"`, nil},
		{"missing value", `{"type":"tendermint/PubKeyEd25519"}`, `missing "value"`, nil},
		{"not an object", `"abc"`, "want {", nil},
		{"private key name", `{"type":"tendermint/PrivKeyEd25519","value":"` + ed + `"}`, "unknown type name", ErrUnsupportedKey},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var j JSONPubKey
			err := json.Unmarshal([]byte(tc.in), &j)
			if err == nil || !strings.Contains(err.Error(), tc.wantMsg) {
				t.Fatalf("err = %v, want containing %q", err, tc.wantMsg)
			}
			if tc.target != nil && !errors.Is(err, tc.target) {
				t.Fatalf("err = %v, want wrapping %v", err, tc.target)
			}
			if j.PubKey != nil {
				t.Fatalf("failed decode left key %v", j.PubKey)
			}
		})
	}
}

func TestJSONPrivKeyErrors(t *testing.T) {
	good := ed25519.GenPrivKeyFromSecret([]byte("k"))
	mismatched := append([]byte(nil), good...)
	mismatched[63] ^= 1
	tests := []struct {
		name, in, wantMsg string
		target            error
	}{
		{"mismatched halves", `{"type":"tendermint/PrivKeyEd25519","value":"` + base64.StdEncoding.EncodeToString(mismatched) + `"}`, "does not match", ed25519.ErrKeyMismatch},
		{"seed only", `{"type":"tendermint/PrivKeyEd25519","value":"` + base64.StdEncoding.EncodeToString(good[:32]) + `"}`, "32 bytes, want 64", ed25519.ErrKeySize},
		{"zero secp", `{"type":"tendermint/PrivKeySecp256k1","value":"` + base64.StdEncoding.EncodeToString(make([]byte, 32)) + `"}`, "zero", secp256k1.ErrInvalidKey},
		{"mldsa65", `{"type":"cometbft/PrivKeyMlDsa65","value":"AAAA"}`, "cometbft/PrivKeyMlDsa65", ErrUnsupportedKey},
		{"public key name", `{"type":"tendermint/PubKeyEd25519","value":"AAAA"}`, "unknown type name", ErrUnsupportedKey},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var j JSONPrivKey
			err := json.Unmarshal([]byte(tc.in), &j)
			if err == nil || !strings.Contains(err.Error(), tc.wantMsg) || !errors.Is(err, tc.target) {
				t.Fatalf("err = %v, want %v containing %q", err, tc.target, tc.wantMsg)
			}
		})
	}
}

type otherPub struct{ ed25519.PubKey }
type otherPriv struct{ ed25519.PrivKey }

func TestJSONMarshalUnsupported(t *testing.T) {
	if _, err := json.Marshal(JSONPubKey{otherPub{}}); !errors.Is(err, ErrUnsupportedKey) {
		t.Fatalf("pub: %v", err)
	}
	if _, err := json.Marshal(JSONPrivKey{otherPriv{}}); !errors.Is(err, ErrUnsupportedKey) {
		t.Fatalf("priv: %v", err)
	}
}
