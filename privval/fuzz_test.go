package privval

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
)

// Fuzzers of the two file decoders: bad input gives an error, never a
// panic, and whatever decodes re-encodes to something that decodes to the
// same value.

func FuzzDecodeFilePVKey(f *testing.F) {
	for _, path := range []string{"testdata/priv_validator_key.json", "testdata/golden_priv_validator_key.json"} {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"address": "", "pub_key": null, "priv_key": {}}`))
	f.Add([]byte(`{"address": "7D9B", "pub_key": {"type": "tendermint/PubKeySecp256k1", "value": "AA=="}}`))
	f.Add([]byte(`{`))
	f.Fuzz(func(t *testing.T, data []byte) {
		key, err := decodeFilePVKey(data)
		if err != nil {
			return
		}
		if !bytes.Equal(key.Address, key.PubKey.Address()) || !key.PrivKey.PubKey().Equals(key.PubKey) {
			t.Fatal("decoded key parts disagree")
		}
		out, err := json.MarshalIndent(key, "", "  ")
		if err != nil {
			t.Fatalf("re-encoding a decoded key: %v", err)
		}
		back, err := decodeFilePVKey(out)
		if err != nil {
			t.Fatalf("re-decoding %s: %v", out, err)
		}
		if !bytes.Equal(back.PrivKey.Bytes(), key.PrivKey.Bytes()) || !back.PubKey.Equals(key.PubKey) {
			t.Fatal("key changed across re-encoding")
		}
	})
}

func FuzzDecodeLastSignState(f *testing.F) {
	for _, path := range []string{"testdata/priv_validator_state.json", "testdata/golden_priv_validator_state_fresh.json"} {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"height": "5", "round": 1, "step": 1, "signature": "AA==", "signbytes": "00"}`))
	f.Add([]byte(`{"height": "-1"}`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, data []byte) {
		lss, err := decodeLastSignState(data)
		if err != nil {
			return
		}
		if lss.Height < 0 || lss.Round < 0 || !lss.Step.valid() {
			t.Fatalf("accepted an invalid state %+v", lss)
		}
		out, err := json.MarshalIndent(&lss, "", "  ")
		if err != nil {
			t.Fatalf("re-encoding a decoded state: %v", err)
		}
		back, err := decodeLastSignState(out)
		if err != nil {
			t.Fatalf("re-decoding %s: %v", out, err)
		}
		assertStateEqual(t, back, lss)
	})
}
