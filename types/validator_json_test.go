package types

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestValidatorJSON(t *testing.T) {
	v := secretValidator("a", 10)
	v.ProposerPriority = -7
	bz, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	// CometBFT's form: uppercase hex address, amino-typed key, int64s as strings.
	const want = `{"address":"2C4E4D1DE6FBFC05D950FC7E6461BE3007DD16E4",` +
		`"pub_key":{"type":"tendermint/PubKeyEd25519","value":"6uHIeTtVl8Sz9JDnasMRcsQ5aQ+O4UFCu4UaYfmknw4="},` +
		`"voting_power":"10","proposer_priority":"-7"}`
	if string(bz) != want {
		t.Fatalf("JSON\n%s\nwant\n%s", bz, want)
	}
	var back Validator
	if err := json.Unmarshal(bz, &back); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(back.Address, v.Address) || !back.PubKey.Equals(v.PubKey) || back.VotingPower != 10 || back.ProposerPriority != -7 {
		t.Fatalf("round trip %v", back)
	}
	err = json.Unmarshal([]byte(strings.Replace(want, `"10"`, `10`, 1)), &back)
	if err == nil || !strings.Contains(err.Error(), "voting_power: invalid 64-bit integer encoding") {
		t.Fatalf("bare number: %v", err)
	}
}

func TestValidatorSetJSON(t *testing.T) {
	set := mustValidatorSet(t, secretValidator("a", 10), secretValidator("b", 20), secretValidator("c", 30))
	set.IncrementProposerPriority(2)
	bz, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(bz), `{"validators":[{"address":"`) || !strings.Contains(string(bz), `"proposer":{"address":"`) {
		t.Fatalf("JSON %s", bz)
	}
	var back ValidatorSet
	if err := json.Unmarshal(bz, &back); err != nil {
		t.Fatal(err)
	}
	if !sameValidators(&back, set) || back.TotalVotingPower() != 60 ||
		!bytes.Equal(back.GetProposer().Address, set.GetProposer().Address) {
		t.Fatalf("round trip %v", &back)
	}
	for _, bad := range []string{
		`{"validators":[null],"proposer":null}`,
		strings.Replace(string(bz), `"proposer":{`, `"proposer":null,"x":{`, 1),
	} {
		if err := json.Unmarshal([]byte(bad), &back); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
	var empty ValidatorSet
	if err := json.Unmarshal([]byte(`{"validators":[],"proposer":null}`), &empty); err != nil || !empty.IsNilOrEmpty() {
		t.Fatalf("empty set: %v", err)
	}
}

func FuzzValidatorSetJSON(f *testing.F) {
	set := mustValidatorSet(f, secretValidator("a", 10), secretValidator("b", 20))
	bz, err := json.Marshal(set)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(bz)
	f.Add([]byte(`{"validators":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var set ValidatorSet
		if err := json.Unmarshal(data, &set); err != nil || set.IsNilOrEmpty() {
			return
		}
		set.IncrementProposerPriority(2)
		out, err := json.Marshal(&set)
		if err != nil {
			t.Fatalf("re-encoding: %v", err)
		}
		var back ValidatorSet
		if err := json.Unmarshal(out, &back); err != nil || !sameValidators(&back, &set) {
			t.Fatalf("re-decoding %s: %v", out, err)
		}
	})
}
