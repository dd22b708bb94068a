package privval

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/ballot-bft/ballot/crypto"
	"github.com/ballot-bft/ballot/internal/atomicfile"
)

// FilePVLastSignState is the mutable half of a FilePV: what it signed last,
// stored in priv_validator_state.json (operator.md §6.3). It is the
// double-sign protection's memory, so it is written durably before any
// signature it covers is handed out.
//
// JSON: height as a decimal string, round and step as numbers, signature as
// base64 and signbytes as uppercase hex, the last two omitted when empty.
type FilePVLastSignState struct {
	Height    int64           `json:"height,string"`
	Round     int32           `json:"round"`
	Step      Step            `json:"step"`
	Signature []byte          `json:"signature,omitempty"`
	SignBytes crypto.HexBytes `json:"signbytes,omitempty"`

	filePath string
}

// FilePath returns the file the state is saved to.
func (lss FilePVLastSignState) FilePath() string { return lss.filePath }

// CheckHRS compares (height, round, step) with the last signed one. It
// returns an error wrapping ErrHeightRegression, ErrRoundRegression or
// ErrStepRegression when the new position is earlier, and ErrNoSignBytes
// when it is the same position but no sign bytes are stored. sameHRS is
// true when the position equals the last signed one (and sign bytes are
// available to compare against); the caller then applies the same-HRS rule.
func (lss *FilePVLastSignState) CheckHRS(height int64, round int32, step Step) (sameHRS bool, err error) {
	switch {
	case height < lss.Height:
		return false, fmt.Errorf("%w: got height %d, last signed height %d", ErrHeightRegression, height, lss.Height)
	case height > lss.Height:
		return false, nil
	case round < lss.Round:
		return false, fmt.Errorf("%w: got round %d, last signed round %d at height %d", ErrRoundRegression, round, lss.Round, height)
	case round > lss.Round:
		return false, nil
	case step < lss.Step:
		return false, fmt.Errorf("%w: got step %v, last signed step %v at height %d round %d", ErrStepRegression, step, lss.Step, height, round)
	case step > lss.Step:
		return false, nil
	}
	if len(lss.SignBytes) == 0 {
		return false, fmt.Errorf("%w (height %d round %d step %v)", ErrNoSignBytes, height, round, step)
	}
	return true, nil
}

// Save writes the state to its file atomically and durably with mode 0600.
// It is for tools that edit a state file directly; a FilePV saves its own
// state, and nothing else may write the file while a FilePV signs with it.
func (lss *FilePVLastSignState) Save() error { return lss.save(atomicfile.OS) }

func (lss *FilePVLastSignState) save(fsys atomicfile.FS) error {
	syncDir, err := lss.replace(fsys)
	if err != nil {
		return err
	}
	if err := syncDir(); err != nil {
		return fmt.Errorf("privval: saving last sign state: %w", err)
	}
	return nil
}

// replace puts the state in its file like save, all but the fsync of the directory, which
// syncDir does (see atomicfile.ReplaceFS).
func (lss *FilePVLastSignState) replace(fsys atomicfile.FS) (syncDir func() error, err error) {
	if lss.filePath == "" {
		return nil, errors.New("privval: cannot save last sign state: no file path set")
	}
	data, err := json.MarshalIndent(lss, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("privval: encoding last sign state: %w", err)
	}
	if syncDir, err = atomicfile.ReplaceFS(fsys, lss.filePath, data, 0o600); err != nil {
		return nil, fmt.Errorf("privval: saving last sign state: %w", err)
	}
	return syncDir, nil
}

// clone returns a deep copy (the slices are not shared).
func (lss FilePVLastSignState) clone() FilePVLastSignState {
	lss.Signature = bytes.Clone(lss.Signature)
	lss.SignBytes = bytes.Clone(lss.SignBytes)
	return lss
}

// loadLastSignState reads and checks the state file at path. Every error
// names the file and fits on one line.
func loadLastSignState(path string) (FilePVLastSignState, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return FilePVLastSignState{}, fmt.Errorf("privval: reading validator state file: %w", err)
	}
	lss, err := decodeLastSignState(data)
	if err != nil {
		return FilePVLastSignState{}, fmt.Errorf("privval: validator state file %s: %w", path, err)
	}
	lss.filePath = path
	return lss, nil
}

// decodeLastSignState parses and checks the JSON of a state file.
func decodeLastSignState(data []byte) (FilePVLastSignState, error) {
	var lss FilePVLastSignState
	if err := decodeJSONObject(data, &lss); err != nil {
		return FilePVLastSignState{}, err
	}
	if err := lss.validate(); err != nil {
		return FilePVLastSignState{}, err
	}
	return lss, nil
}

// validate checks that the state could have been written by a FilePV.
func (lss *FilePVLastSignState) validate() error {
	switch {
	case lss.Height < 0:
		return fmt.Errorf("negative height %d", lss.Height)
	case lss.Round < 0:
		return fmt.Errorf("negative round %d", lss.Round)
	case !lss.Step.valid():
		return fmt.Errorf("unknown step %d (want 0 to 3)", int8(lss.Step))
	case len(lss.Signature) == 0 && len(lss.SignBytes) > 0:
		return errors.New("signbytes present without a signature")
	case len(lss.Signature) > 0 && len(lss.SignBytes) == 0:
		return errors.New("signature present without signbytes")
	case len(lss.SignBytes) > 0:
		return checkSignBytesHRS(lss.SignBytes, lss.Height, lss.Round, lss.Step)
	}
	return nil
}

// decodeJSONObject decodes data, which must be a single JSON object, into
// v. Errors are one line and say what is wrong with the JSON.
func decodeJSONObject(data []byte, v any) error {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return errors.New("file is empty")
	}
	if trimmed[0] != '{' {
		return errors.New("invalid JSON: want an object")
	}
	if err := json.Unmarshal(trimmed, v); err != nil {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	return nil
}
