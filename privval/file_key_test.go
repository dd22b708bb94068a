package privval

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ballot-bft/ballot/crypto/ed25519"
	"github.com/ballot-bft/ballot/crypto/secp256k1"
	"github.com/ballot-bft/ballot/types"
)

const (
	exampleAddress = "7D9B1EC512F97B772D1B625448CFEC3ACCF14890"
	examplePub     = "JEa/zOr5ysvDJWJov8eRHurTKaeHuhi04jnJ6cUNBik="
	examplePriv    = "vHuBseEYnQ6E7cyuUfSM3AYwL4iQvZN+O2WsGzKeZZQkRr/M6vnKy8MlYmi/x5Ee6tMpp4e6GLTiOcnpxQ0GKQ=="
)

func TestLoadExampleFiles(t *testing.T) {
	pv, err := LoadFilePV("testdata/priv_validator_key.json", "testdata/priv_validator_state.json")
	if err != nil {
		t.Fatal(err)
	}
	if got := pv.Address().String(); got != exampleAddress {
		t.Fatalf("address = %s, want %s", got, exampleAddress)
	}
	pub, err := pv.PubKey()
	if err != nil {
		t.Fatal(err)
	}
	if pub.Type() != ed25519.KeyType || base64.StdEncoding.EncodeToString(pub.Bytes()) != examplePub {
		t.Fatalf("pub key = %s %X", pub.Type(), pub.Bytes())
	}
	if got := base64.StdEncoding.EncodeToString(pv.Key().PrivKey.Bytes()); got != examplePriv {
		t.Fatalf("priv key = %s", got)
	}
	st := pv.LastSignState()
	if st.Height != 15 || st.Round != 0 || st.Step != StepPrecommit {
		t.Fatalf("state = %d/%d/%v, want 15/0/precommit", st.Height, st.Round, st.Step)
	}
}

func TestKeyJSONMatchesGoldenFile(t *testing.T) {
	key, err := loadFilePVKey("testdata/priv_validator_key.json")
	if err != nil {
		t.Fatal(err)
	}
	key.filePath = filepath.Join(t.TempDir(), "priv_validator_key.json")
	if err := key.Save(); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(key.filePath)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/golden_priv_validator_key.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("written key file differs from the golden file:\n got %s\nwant %s", got, want)
	}
	fi, err := os.Stat(key.filePath)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode = %v, want 0600", fi.Mode().Perm())
	}
	back, err := loadFilePVKey(key.filePath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(back.Address, key.Address) || !back.PubKey.Equals(key.PubKey) || !bytes.Equal(back.PrivKey.Bytes(), key.PrivKey.Bytes()) {
		t.Fatal("key did not round-trip")
	}
}

func keyJSON(address, pubType, pub, privType, priv string) string {
	return `{"address": "` + address + `", "pub_key": {"type": "` + pubType + `", "value": "` + pub +
		`"}, "priv_key": {"type": "` + privType + `", "value": "` + priv + `"}}`
}

func TestBadKeyFilesGiveOneLineErrors(t *testing.T) {
	const (
		pubName  = "tendermint/PubKeyEd25519"
		privName = "tendermint/PrivKeyEd25519"
	)
	valid := keyJSON(exampleAddress, pubName, examplePub, privName, examplePriv)
	otherKey := ed25519.GenPrivKeyFromSecret([]byte("other"))
	otherPub := base64.StdEncoding.EncodeToString(otherKey.PubKey().Bytes())
	otherPriv := base64.StdEncoding.EncodeToString(otherKey.Bytes())
	privBytes, _ := base64.StdEncoding.DecodeString(examplePriv)
	// The example seed with another key's public half.
	mismatchedHalves := base64.StdEncoding.EncodeToString(append(bytes.Clone(privBytes[:32]), otherKey.PubKey().Bytes()...))
	short := func(s string, n int) string {
		b, _ := base64.StdEncoding.DecodeString(s)
		return base64.StdEncoding.EncodeToString(b[:n])
	}

	tests := []struct {
		name    string
		content string
		want    string
	}{
		{"empty file", "", "file is empty"},
		{"truncated", valid[:len(valid)-20], "invalid JSON"},
		{"not an object", `"key"`, "want an object"},
		{"missing pub_key", `{"address": "` + exampleAddress + `", "priv_key": {"type": "` + privName + `", "value": "` + examplePriv + `"}}`, "missing pub_key"},
		{"missing priv_key", `{"address": "` + exampleAddress + `", "pub_key": {"type": "` + pubName + `", "value": "` + examplePub + `"}}`, "missing priv_key"},
		{"null pub_key", `{"address": "` + exampleAddress + `", "pub_key": null, "priv_key": {"type": "` + privName + `", "value": "` + examplePriv + `"}}`, "missing pub_key"},
		{"unknown pub key type", keyJSON(exampleAddress, "tendermint/PubKeyFoo", examplePub, privName, examplePriv), "pub_key"},
		{"unknown priv key type", keyJSON(exampleAddress, pubName, examplePub, "tendermint/PrivKeyFoo", examplePriv), "priv_key"},
		{"swapped type names", keyJSON(exampleAddress, privName, examplePub, pubName, examplePriv), "pub_key"},
		{"bad base64 pub key", keyJSON(exampleAddress, pubName, "JEa/zOr5!!", privName, examplePriv), "pub_key"},
		{"bad base64 priv key", keyJSON(exampleAddress, pubName, examplePub, privName, "vHuB???"), "priv_key"},
		{"short pub key", keyJSON(exampleAddress, pubName, short(examplePub, 31), privName, examplePriv), "pub_key"},
		{"short priv key", keyJSON(exampleAddress, pubName, examplePub, privName, short(examplePriv, 63)), "priv_key"},
		{"seed-only priv key", keyJSON(exampleAddress, pubName, examplePub, privName, short(examplePriv, 32)), "priv_key"},
		{"priv key halves disagree", keyJSON(exampleAddress, pubName, examplePub, privName, mismatchedHalves), "priv_key"},
		{"pub key of another key", keyJSON(exampleAddress, pubName, otherPub, privName, examplePriv), "pub_key is not the public key of priv_key"},
		{"both keys of another key", keyJSON(exampleAddress, pubName, otherPub, privName, otherPriv), "does not match pub_key"},
		{"address of another key", keyJSON("2C4E4D1DE6FBFC05D950FC7E6461BE3007DD16E4", pubName, examplePub, privName, examplePriv), "does not match pub_key"},
		{"short address", keyJSON(exampleAddress[:38], pubName, examplePub, privName, examplePriv), "does not match pub_key"},
		{"empty address", keyJSON("", pubName, examplePub, privName, examplePriv), "does not match pub_key"},
		{"bad hex address", keyJSON("ZZ"+exampleAddress[2:], pubName, examplePub, privName, examplePriv), "encoding/hex: invalid byte"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "priv_validator_key.json")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := loadFilePVKey(path)
			if err == nil {
				t.Fatal("loading succeeded, want an error")
			}
			msg := err.Error()
			if !strings.Contains(msg, path) || !strings.Contains(msg, tt.want) || strings.Contains(msg, "\n") {
				t.Fatalf("error %q: want one line naming %s and containing %q", msg, path, tt.want)
			}
		})
	}
	if _, err := decodeFilePVKey([]byte(valid)); err != nil {
		t.Fatalf("the valid base case is refused: %v", err)
	}
	if _, err := decodeFilePVKey([]byte(strings.Replace(valid, exampleAddress, strings.ToLower(exampleAddress), 1))); err != nil {
		t.Fatalf("a lowercase address is refused: %v", err)
	}
}

func TestGenFilePVSaveLoadRoundTrip(t *testing.T) {
	dir := t.TempDir()
	keyPath, statePath := filepath.Join(dir, "key.json"), filepath.Join(dir, "state.json")
	pv := GenFilePV(keyPath, statePath)
	if err := pv.Save(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{keyPath, statePath} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s mode = %v, want 0600", p, fi.Mode().Perm())
		}
	}
	assertFileEquals(t, statePath, "testdata/golden_priv_validator_state_fresh.json")
	back, err := LoadFilePV(keyPath, statePath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(back.Key().PrivKey.Bytes(), pv.Key().PrivKey.Bytes()) || !bytes.Equal(back.Address(), pv.Address()) {
		t.Fatal("key did not round-trip")
	}
	if st := back.LastSignState(); st.Height != 0 || st.Round != 0 || st.Step != StepNone || st.Signature != nil {
		t.Fatalf("fresh state = %+v", st)
	}
	if other := GenFilePV(keyPath, statePath); bytes.Equal(other.Address(), pv.Address()) {
		t.Fatal("two generated keys are equal")
	}
}

func assertFileEquals(t *testing.T, path, golden string) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs from %s:\n got %s\nwant %s", path, golden, got, want)
	}
}

func TestLoadOrGenFilePV(t *testing.T) {
	dir := t.TempDir()
	keyPath, statePath := filepath.Join(dir, "key.json"), filepath.Join(dir, "state.json")
	first, err := LoadOrGenFilePV(keyPath, statePath)
	if err != nil {
		t.Fatal(err)
	}
	mustSign(t, first, signed{vote: prevote(3, 0, 1)})
	second, err := LoadOrGenFilePV(keyPath, statePath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(second.Address(), first.Address()) {
		t.Fatal("existing key was not loaded")
	}
	if second.LastSignState().Height != 3 {
		t.Fatal("existing state was not loaded")
	}
	// A key without its state file is refused rather than silently
	// starting without double-sign protection.
	if err := os.Remove(statePath); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrGenFilePV(keyPath, statePath); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v, want the missing state file", err)
	}
}

func TestResetClearsStateKeepsKey(t *testing.T) {
	pv := newTestPV(t)
	mustSign(t, pv, signed{vote: precommit(9, 2, 1)})
	keyPath, statePath := pv.Key().FilePath(), pv.LastSignState().FilePath()
	keyBefore, err := os.ReadFile(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	// unsafe-reset-all loads only the key (the state may be corrupt).
	if err := os.WriteFile(statePath, []byte("{garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	resettable, err := LoadFilePVEmptyState(keyPath, statePath)
	if err != nil {
		t.Fatal(err)
	}
	if err := resettable.Reset(); err != nil {
		t.Fatal(err)
	}
	assertFileEquals(t, statePath, "testdata/golden_priv_validator_state_fresh.json")
	keyAfter, err := os.ReadFile(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(keyAfter, keyBefore) {
		t.Fatal("Reset changed the key file")
	}
	// A reset signer signs again from height 1.
	restarted := reload(t, pv)
	mustSign(t, restarted, signed{vote: precommit(1, 0, 1)})

	// Reset of a signer in use.
	if err := restarted.Reset(); err != nil {
		t.Fatal(err)
	}
	if st := restarted.LastSignState(); st.Height != 0 || st.Step != StepNone || st.SignBytes != nil {
		t.Fatalf("state after Reset = %+v", st)
	}
}

func TestSaveWithoutPathFails(t *testing.T) {
	pv := NewFilePV(ed25519.GenPrivKeyFromSecret([]byte("x")), "", "")
	if err := pv.Save(); err == nil || !strings.Contains(err.Error(), "no file path") {
		t.Fatalf("err = %v, want a missing-path error", err)
	}
}

func TestString(t *testing.T) {
	pv := newTestPV(t)
	mustSign(t, pv, signed{vote: prevote(4, 1, 1)})
	want := "PrivValidator{" + pv.Address().String() + " LH:4, LR:1, LS:prevote}"
	if got := pv.String(); got != want {
		t.Fatalf("String() = %q, want %q", got, want)
	}
}

func TestSecp256k1KeyFileRoundTripAndSigning(t *testing.T) {
	priv, err := secp256k1.GenPrivKeyFromReader(bytes.NewReader(bytes.Repeat([]byte{0x42}, 64)))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pv := NewFilePV(priv, filepath.Join(dir, "key.json"), filepath.Join(dir, "state.json"))
	if err := pv.Save(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "key.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(raw, []byte(`"type": "tendermint/PrivKeySecp256k1"`)) {
		t.Fatalf("key file lacks the secp256k1 type name:\n%s", raw)
	}
	back := reload(t, pv)
	v := prevote(1, 0, 1)
	if err := back.SignVote(testChainID, v, true); err != nil {
		t.Fatal(err)
	}
	pub, _ := back.PubKey()
	if pub.Type() != priv.Type() || !pub.VerifySignature(types.VoteSignBytes(testChainID, v), v.Signature) {
		t.Fatal("reloaded secp256k1 signer does not produce verifying signatures")
	}
}
