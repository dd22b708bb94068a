package privval

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"

	"github.com/ballot-bft/ballot/crypto/ed25519"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
)

const testChainID = "test-chain"

// baseTime is the timestamp of every test message unless a test changes it.
var baseTime = time.Date(2024, 1, 1, 0, 0, 1, 0, time.UTC)

// newTestPV returns a saved FilePV with a fixed key in a fresh directory.
func newTestPV(t *testing.T) *FilePV {
	t.Helper()
	dir := t.TempDir()
	pv := NewFilePV(ed25519.GenPrivKeyFromSecret([]byte("privval test key")),
		filepath.Join(dir, "priv_validator_key.json"), filepath.Join(dir, "priv_validator_state.json"))
	if err := pv.Save(); err != nil {
		t.Fatal(err)
	}
	return pv
}

// reload loads pv's files again, as a restarted node would.
func reload(t *testing.T, pv *FilePV) *FilePV {
	t.Helper()
	again, err := LoadFilePV(pv.Key().FilePath(), pv.LastSignState().FilePath())
	if err != nil {
		t.Fatalf("reload: %v", err)
	}
	return again
}

// blockID returns a non-nil BlockID whose hashes are filled with b.
func blockID(b byte) tmproto.BlockID {
	return tmproto.BlockID{
		Hash:          bytes.Repeat([]byte{b}, 32),
		PartSetHeader: tmproto.PartSetHeader{Total: 1, Hash: bytes.Repeat([]byte{b + 1}, 32)},
	}
}

func newVote(typ tmproto.SignedMsgType, height int64, round int32, id tmproto.BlockID) *tmproto.Vote {
	return &tmproto.Vote{
		Type:             typ,
		Height:           height,
		Round:            round,
		BlockID:          id,
		Timestamp:        baseTime,
		ValidatorAddress: bytes.Repeat([]byte{0xAA}, 20),
		ValidatorIndex:   0,
	}
}

func prevote(height int64, round int32, b byte) *tmproto.Vote {
	return newVote(tmproto.PrevoteType, height, round, blockID(b))
}

func precommit(height int64, round int32, b byte) *tmproto.Vote {
	return newVote(tmproto.PrecommitType, height, round, blockID(b))
}

func newProposal(height int64, round int32, b byte) *tmproto.Proposal {
	return &tmproto.Proposal{
		Type:      tmproto.ProposalType,
		Height:    height,
		Round:     round,
		PolRound:  -1,
		BlockID:   blockID(b),
		Timestamp: baseTime,
	}
}

// signed is a message the test signs in order to set up the state.
type signed struct {
	vote     *tmproto.Vote
	proposal *tmproto.Proposal
}

func (s signed) sign(pv *FilePV) error {
	if s.vote != nil {
		return pv.SignVote(testChainID, s.vote, true)
	}
	return pv.SignProposal(testChainID, s.proposal)
}

func mustSign(t *testing.T, pv *FilePV, msgs ...signed) {
	t.Helper()
	for i, m := range msgs {
		if err := m.sign(pv); err != nil {
			t.Fatalf("setup message %d: %v", i, err)
		}
	}
}

func cloneVote(v *tmproto.Vote) *tmproto.Vote {
	c := *v
	c.Signature = bytes.Clone(v.Signature)
	c.ExtensionSignature = bytes.Clone(v.ExtensionSignature)
	c.Extension = bytes.Clone(v.Extension)
	return &c
}

func cloneProposal(p *tmproto.Proposal) *tmproto.Proposal {
	c := *p
	c.Signature = bytes.Clone(p.Signature)
	return &c
}
