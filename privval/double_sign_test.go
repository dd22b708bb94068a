package privval

import (
	"bytes"
	"errors"
	"os"
	"testing"
	"time"

	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
	"github.com/ballot-bft/ballot/types"
)

// Tests of the double-sign rules of consensus.md §13.1, one per rule.

// refusalCase is one message that must be refused after setup was signed.
type refusalCase struct {
	name    string
	setup   []signed
	attempt signed
	wantErr error
}

func runRefusals(t *testing.T, cases []refusalCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pv := newTestPV(t)
			mustSign(t, pv, tc.setup...)
			stateBefore := pv.LastSignState()
			fileBefore, err := os.ReadFile(stateBefore.FilePath())
			if err != nil {
				t.Fatal(err)
			}
			var before any
			if tc.attempt.vote != nil {
				before = cloneVote(tc.attempt.vote)
			} else {
				before = cloneProposal(tc.attempt.proposal)
			}

			err = tc.attempt.sign(pv)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			// A refusal hands out nothing and changes nothing.
			if tc.attempt.vote != nil {
				assertVoteEqual(t, tc.attempt.vote, before.(*tmproto.Vote))
			} else {
				assertProposalEqual(t, tc.attempt.proposal, before.(*tmproto.Proposal))
			}
			assertStateEqual(t, pv.LastSignState(), stateBefore)
			fileAfter, err := os.ReadFile(stateBefore.FilePath())
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(fileAfter, fileBefore) {
				t.Fatalf("state file changed by a refused request:\n%s\n->\n%s", fileBefore, fileAfter)
			}
		})
	}
}

func assertVoteEqual(t *testing.T, got, want *tmproto.Vote) {
	t.Helper()
	if !sameEncoding(got, want) {
		t.Fatalf("vote modified:\n got %v\nwant %v", got, want)
	}
}

func assertProposalEqual(t *testing.T, got, want *tmproto.Proposal) {
	t.Helper()
	if !sameEncoding(got, want) {
		t.Fatalf("proposal modified:\n got %v\nwant %v", got, want)
	}
}

func assertStateEqual(t *testing.T, got, want FilePVLastSignState) {
	t.Helper()
	if got.Height != want.Height || got.Round != want.Round || got.Step != want.Step ||
		!bytes.Equal(got.Signature, want.Signature) || !bytes.Equal(got.SignBytes, want.SignBytes) {
		t.Fatalf("last sign state = %d/%d/%v, want %d/%d/%v", got.Height, got.Round, got.Step, want.Height, want.Round, want.Step)
	}
}

func TestHeightRegression(t *testing.T) {
	setup := []signed{{vote: precommit(10, 0, 1)}}
	runRefusals(t, []refusalCase{
		{"proposal", setup, signed{proposal: newProposal(9, 0, 1)}, ErrHeightRegression},
		{"prevote", setup, signed{vote: prevote(9, 0, 1)}, ErrHeightRegression},
		{"precommit at a higher round", setup, signed{vote: precommit(9, 5, 1)}, ErrHeightRegression},
		{"height zero", setup, signed{vote: precommit(0, 0, 1)}, ErrHeightRegression},
	})
}

func TestRoundRegression(t *testing.T) {
	setup := []signed{{vote: prevote(10, 2, 1)}}
	runRefusals(t, []refusalCase{
		{"proposal", setup, signed{proposal: newProposal(10, 1, 1)}, ErrRoundRegression},
		{"prevote", setup, signed{vote: prevote(10, 1, 1)}, ErrRoundRegression},
		{"precommit", setup, signed{vote: precommit(10, 0, 1)}, ErrRoundRegression},
	})
}

func TestStepRegression(t *testing.T) {
	runRefusals(t, []refusalCase{
		{"prevote after precommit", []signed{{vote: precommit(10, 0, 1)}}, signed{vote: prevote(10, 0, 1)}, ErrStepRegression},
		{"proposal after precommit", []signed{{vote: precommit(10, 0, 1)}}, signed{proposal: newProposal(10, 0, 1)}, ErrStepRegression},
		{"proposal after prevote", []signed{{vote: prevote(10, 0, 1)}}, signed{proposal: newProposal(10, 0, 1)}, ErrStepRegression},
	})
}

func TestStepsAdvanceWithinRoundAndAcrossRoundsAndHeights(t *testing.T) {
	pv := newTestPV(t)
	sequence := []struct {
		msg  signed
		want FilePVLastSignState
	}{
		{signed{proposal: newProposal(1, 0, 1)}, FilePVLastSignState{Height: 1, Round: 0, Step: StepPropose}},
		{signed{vote: prevote(1, 0, 1)}, FilePVLastSignState{Height: 1, Round: 0, Step: StepPrevote}},
		{signed{vote: precommit(1, 0, 1)}, FilePVLastSignState{Height: 1, Round: 0, Step: StepPrecommit}},
		{signed{vote: prevote(1, 1, 2)}, FilePVLastSignState{Height: 1, Round: 1, Step: StepPrevote}},
		{signed{vote: precommit(1, 3, 2)}, FilePVLastSignState{Height: 1, Round: 3, Step: StepPrecommit}},
		{signed{proposal: newProposal(2, 0, 3)}, FilePVLastSignState{Height: 2, Round: 0, Step: StepPropose}},
		{signed{vote: precommit(7, 0, 3)}, FilePVLastSignState{Height: 7, Round: 0, Step: StepPrecommit}},
	}
	for i, s := range sequence {
		if err := s.msg.sign(pv); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		got := pv.LastSignState()
		if got.Height != s.want.Height || got.Round != s.want.Round || got.Step != s.want.Step {
			t.Fatalf("message %d: state = %d/%d/%v, want %d/%d/%v", i, got.Height, got.Round, got.Step, s.want.Height, s.want.Round, s.want.Step)
		}
	}
}

func TestSameHRSIdenticalReturnsStoredSignature(t *testing.T) {
	tests := []struct {
		name string
		msg  func() signed
	}{
		{"prevote", func() signed { return signed{vote: prevote(5, 1, 1)} }},
		{"precommit", func() signed { return signed{vote: precommit(5, 1, 1)} }},
		{"nil precommit", func() signed { return signed{vote: newVote(tmproto.PrecommitType, 5, 1, tmproto.BlockID{})} }},
		{"proposal", func() signed { return signed{proposal: newProposal(5, 1, 1)} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pv := newTestPV(t)
			first, again := tt.msg(), tt.msg()
			mustSign(t, pv, first)
			stateFile, err := os.ReadFile(pv.LastSignState().FilePath())
			if err != nil {
				t.Fatal(err)
			}
			if err := again.sign(pv); err != nil {
				t.Fatalf("re-signing the identical message: %v", err)
			}
			if !bytes.Equal(sigOf(again), sigOf(first)) || len(sigOf(first)) == 0 {
				t.Fatalf("signature %X, want the stored %X", sigOf(again), sigOf(first))
			}
			after, err := os.ReadFile(pv.LastSignState().FilePath())
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(after, stateFile) {
				t.Fatal("re-signing an identical message rewrote the state file")
			}
		})
	}
}

func sigOf(s signed) []byte {
	if s.vote != nil {
		return s.vote.Signature
	}
	return s.proposal.Signature
}

func TestSameHRSTimestampOnlyDifferenceReusesSignatureAndTimestamp(t *testing.T) {
	later := baseTime.Add(7*time.Second + 123*time.Millisecond)
	t.Run("vote", func(t *testing.T) {
		pv := newTestPV(t)
		first := precommit(5, 0, 1)
		mustSign(t, pv, signed{vote: first})
		again := precommit(5, 0, 1)
		again.Timestamp = later
		if err := pv.SignVote(testChainID, again, true); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again.Signature, first.Signature) {
			t.Fatalf("signature %X, want the stored %X", again.Signature, first.Signature)
		}
		if !again.Timestamp.Equal(baseTime) {
			t.Fatalf("timestamp = %v, want the stored %v", again.Timestamp, baseTime)
		}
		pub, _ := pv.PubKey()
		if !pub.VerifySignature(types.VoteSignBytes(testChainID, again), again.Signature) {
			t.Fatal("returned vote does not verify with its rewritten timestamp")
		}
	})
	t.Run("proposal", func(t *testing.T) {
		pv := newTestPV(t)
		first := newProposal(5, 0, 1)
		mustSign(t, pv, signed{proposal: first})
		again := newProposal(5, 0, 1)
		again.Timestamp = later
		if err := pv.SignProposal(testChainID, again); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again.Signature, first.Signature) {
			t.Fatalf("signature %X, want the stored %X", again.Signature, first.Signature)
		}
		if !again.Timestamp.Equal(baseTime) {
			t.Fatalf("timestamp = %v, want the stored %v", again.Timestamp, baseTime)
		}
		pub, _ := pv.PubKey()
		if !pub.VerifySignature(types.ProposalSignBytes(testChainID, again), again.Signature) {
			t.Fatal("returned proposal does not verify with its rewritten timestamp")
		}
	})
}

func TestSameHRSConflictingDataRefused(t *testing.T) {
	laterOtherBlock := precommit(5, 0, 2)
	laterOtherBlock.Timestamp = baseTime.Add(time.Second)
	polChanged := newProposal(5, 0, 1)
	polChanged.PolRound = 0
	runRefusals(t, []refusalCase{
		{"precommit for another block", []signed{{vote: precommit(5, 0, 1)}}, signed{vote: precommit(5, 0, 2)}, ErrConflictingData},
		{"precommit for another block and time", []signed{{vote: precommit(5, 0, 1)}}, signed{vote: laterOtherBlock}, ErrConflictingData},
		{"precommit nil after block", []signed{{vote: precommit(5, 0, 1)}}, signed{vote: newVote(tmproto.PrecommitType, 5, 0, tmproto.BlockID{})}, ErrConflictingData},
		{"prevote block after nil", []signed{{vote: newVote(tmproto.PrevoteType, 5, 0, tmproto.BlockID{})}}, signed{vote: prevote(5, 0, 1)}, ErrConflictingData},
		{"proposal for another block", []signed{{proposal: newProposal(5, 0, 1)}}, signed{proposal: newProposal(5, 0, 2)}, ErrConflictingData},
		{"proposal with another POL round", []signed{{proposal: newProposal(5, 0, 1)}}, signed{proposal: polChanged}, ErrConflictingData},
	})
}

func TestSameHRSOtherChainRefused(t *testing.T) {
	pv := newTestPV(t)
	mustSign(t, pv, signed{vote: prevote(5, 0, 1)})
	if err := pv.SignVote("other-chain", prevote(5, 0, 1), true); !errors.Is(err, ErrConflictingData) {
		t.Fatalf("vote: err = %v, want %v", err, ErrConflictingData)
	}
	mustSign(t, pv, signed{proposal: newProposal(6, 0, 1)})
	if err := pv.SignProposal("other-chain", newProposal(6, 0, 1)); !errors.Is(err, ErrConflictingData) {
		t.Fatalf("proposal: err = %v, want %v", err, ErrConflictingData)
	}
}

func TestSameHRSWithoutSignBytesRefused(t *testing.T) {
	pv := newTestPV(t)
	path := pv.LastSignState().FilePath()
	if err := os.WriteFile(path, []byte(`{"height": "5", "round": 1, "step": 2}`), 0o600); err != nil {
		t.Fatal(err)
	}
	pv = reload(t, pv)
	if err := pv.SignVote(testChainID, prevote(5, 1, 1), true); !errors.Is(err, ErrNoSignBytes) {
		t.Fatalf("err = %v, want %v", err, ErrNoSignBytes)
	}
	// The next step is allowed.
	if err := pv.SignVote(testChainID, precommit(5, 1, 1), true); err != nil {
		t.Fatal(err)
	}
}
