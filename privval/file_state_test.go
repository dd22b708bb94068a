package privval

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadStateExample(t *testing.T) {
	lss, err := loadLastSignState("testdata/priv_validator_state.json")
	if err != nil {
		t.Fatal(err)
	}
	if lss.Height != 15 || lss.Round != 0 || lss.Step != StepPrecommit {
		t.Fatalf("state = %d/%d/%v, want 15/0/precommit", lss.Height, lss.Round, lss.Step)
	}
	if len(lss.Signature) != 64 {
		t.Fatalf("signature has %d bytes, want 64", len(lss.Signature))
	}
	if !strings.HasPrefix(lss.SignBytes.String(), "6C0802110F00") || len(lss.SignBytes) != 0x6C+1 {
		t.Fatalf("signbytes = %v", lss.SignBytes)
	}
}

func TestStateJSONMatchesGoldenFiles(t *testing.T) {
	tests := []struct {
		name   string
		state  FilePVLastSignState
		golden string
	}{
		{"fresh", FilePVLastSignState{}, "testdata/golden_priv_validator_state_fresh.json"},
		{"signed", mustLoadState(t, "testdata/priv_validator_state.json"), "testdata/golden_priv_validator_state.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.state.filePath = filepath.Join(t.TempDir(), "priv_validator_state.json")
			if err := tt.state.Save(); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(tt.state.filePath)
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(tt.golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("written state file differs from %s:\n got %s\nwant %s", tt.golden, got, want)
			}
			fi, err := os.Stat(tt.state.filePath)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Fatalf("mode = %v, want 0600", fi.Mode().Perm())
			}
			back, err := loadLastSignState(tt.state.filePath)
			if err != nil {
				t.Fatal(err)
			}
			assertStateEqual(t, back, tt.state)
		})
	}
}

func mustLoadState(t *testing.T, path string) FilePVLastSignState {
	t.Helper()
	lss, err := loadLastSignState(path)
	if err != nil {
		t.Fatal(err)
	}
	return lss
}

// exampleSignBytes is the signbytes value of the operator.md §6.3 example.
const exampleSignBytes = "6C0802110F0000000000000022480A2009EC59AAB272916FC0B7D489E3607A15A38A3A0E45D7E57088B7EF8927553EEA12240801122007D441105076121C5D149EB345B4092A1EA6839CA09987844ADA5A588892C55A2A0B08D9C58FD80610F5F7B419320876652D636861696E"

const exampleSignature = "mrI7d7w5GpJJU2yPy3tYzqnxMhbgpK0BsJkLcXrAfwFQyiQuEbwsZ+hVwENhlY6Ys5tIGof284ucHnhwzwFQBw=="

func stateJSON(height, round, step, sig, signBytes string) string {
	s := `{"height": ` + height + `, "round": ` + round + `, "step": ` + step
	if sig != "" {
		s += `, "signature": ` + sig
	}
	if signBytes != "" {
		s += `, "signbytes": ` + signBytes
	}
	return s + "}"
}

func TestBadStateFilesGiveOneLineErrors(t *testing.T) {
	valid := stateJSON(`"15"`, "0", "3", `"`+exampleSignature+`"`, `"`+exampleSignBytes+`"`)
	tests := []struct {
		name    string
		content string
		want    string
	}{
		{"empty file", "", "file is empty"},
		{"truncated", valid[:len(valid)/2], "invalid JSON"},
		{"not an object", `["height"]`, "want an object"},
		{"null", "null", "want an object"},
		{"trailing garbage", valid + "x", "invalid JSON"},
		{"height as number", stateJSON("15", "0", "3", "", ""), "invalid JSON"},
		{"height not a number", stateJSON(`"fifteen"`, "0", "3", "", ""), "invalid JSON"},
		{"negative height", stateJSON(`"-1"`, "0", "0", "", ""), "negative height"},
		{"negative round", stateJSON(`"1"`, "-1", "0", "", ""), "negative round"},
		{"round overflow", stateJSON(`"1"`, "2147483648", "0", "", ""), "invalid JSON"},
		{"unknown step", stateJSON(`"1"`, "0", "4", "", ""), "unknown step 4"},
		{"step overflow", stateJSON(`"1"`, "0", "300", "", ""), "invalid JSON"},
		{"bad base64 signature", stateJSON(`"15"`, "0", "3", `"!!notbase64"`, `"`+exampleSignBytes+`"`), "invalid JSON"},
		{"bad hex signbytes", stateJSON(`"15"`, "0", "3", `"`+exampleSignature+`"`, `"6C08ZZ"`), "encoding/hex: invalid byte"},
		{"signature without signbytes", stateJSON(`"15"`, "0", "3", `"`+exampleSignature+`"`, ""), "signature present without signbytes"},
		{"signbytes without signature", stateJSON(`"15"`, "0", "3", "", `"`+exampleSignBytes+`"`), "signbytes present without a signature"},
		{"signbytes of another height", stateJSON(`"16"`, "0", "3", `"`+exampleSignature+`"`, `"`+exampleSignBytes+`"`), "signbytes encode"},
		{"signbytes of another step", stateJSON(`"15"`, "0", "2", `"`+exampleSignature+`"`, `"`+exampleSignBytes+`"`), "signbytes encode"},
		{"signbytes as proposal", stateJSON(`"15"`, "0", "1", `"`+exampleSignature+`"`, `"`+exampleSignBytes+`"`), "not a length-delimited canonical proposal"},
		{"signbytes truncated", stateJSON(`"15"`, "0", "3", `"`+exampleSignature+`"`, `"`+exampleSignBytes[:40]+`"`), "length prefix"},
		{"signbytes with step none", stateJSON(`"15"`, "0", "0", `"`+exampleSignature+`"`, `"`+exampleSignBytes+`"`), "step none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "priv_validator_state.json")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := loadLastSignState(path)
			if err == nil {
				t.Fatal("loading succeeded, want an error")
			}
			msg := err.Error()
			if !strings.Contains(msg, path) || !strings.Contains(msg, tt.want) || strings.Contains(msg, "\n") {
				t.Fatalf("error %q: want one line naming %s and containing %q", msg, path, tt.want)
			}
		})
	}
	if _, err := decodeLastSignState([]byte(valid)); err != nil {
		t.Fatalf("the valid base case is refused: %v", err)
	}
}

func TestMissingStateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent.json")
	_, err := loadLastSignState(path)
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), path) {
		t.Fatalf("err = %v, want not-exist naming the file", err)
	}
}

func TestCheckHRS(t *testing.T) {
	last := FilePVLastSignState{Height: 10, Round: 2, Step: StepPrevote, Signature: []byte{1}, SignBytes: []byte{2}}
	tests := []struct {
		height   int64
		round    int32
		step     Step
		wantSame bool
		wantErr  error
	}{
		{9, 5, StepPrecommit, false, ErrHeightRegression},
		{10, 1, StepPrecommit, false, ErrRoundRegression},
		{10, 2, StepPropose, false, ErrStepRegression},
		{10, 2, StepPrevote, true, nil},
		{10, 2, StepPrecommit, false, nil},
		{10, 3, StepPropose, false, nil},
		{11, 0, StepPropose, false, nil},
	}
	for _, tt := range tests {
		same, err := last.CheckHRS(tt.height, tt.round, tt.step)
		if same != tt.wantSame || !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
			t.Errorf("CheckHRS(%d, %d, %v) = %v, %v; want %v, %v", tt.height, tt.round, tt.step, same, err, tt.wantSame, tt.wantErr)
		}
	}
	noBytes := FilePVLastSignState{Height: 10, Round: 2, Step: StepPrevote}
	if _, err := noBytes.CheckHRS(10, 2, StepPrevote); !errors.Is(err, ErrNoSignBytes) {
		t.Errorf("same HRS without sign bytes: err = %v, want %v", err, ErrNoSignBytes)
	}
}

func TestStateJSONFieldNames(t *testing.T) {
	b, err := json.Marshal(FilePVLastSignState{Height: 1 << 40, Round: 1, Step: StepPropose, Signature: []byte{0xff}, SignBytes: []byte{0xab}})
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"height":"1099511627776","round":1,"step":1,"signature":"/w==","signbytes":"AB"}`
	if string(b) != want {
		t.Fatalf("JSON = %s, want %s", b, want)
	}
}
