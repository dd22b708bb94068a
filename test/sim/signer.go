package sim

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/ballot-bft/ballot/crypto"
	"github.com/ballot-bft/ballot/types"
)

// errSignRefused wraps every refusal of the signer's double-sign guard.
var errSignRefused = errors.New("signer refused")

// errProposalAfterVote wraps the refusal of a proposal for a round in which the signer already
// signed a vote: the machine asked for its proposal too late (see node.signRefused).
var errProposalAfterVote = errors.New("proposal after a vote of its round")

// Signer steps within a round, privval's numbering (consensus.md §13.1).
const (
	signStepNone      int8 = 0
	signStepPropose   int8 = 1
	signStepPrevote   int8 = 2
	signStepPrecommit int8 = 3
)

// signer signs with one validator key behind privval's double-sign guard: within a height and
// round at most one message per step (propose, prevote, precommit); an earlier height, round or
// step is refused; the same position is answered with the stored signature when the sign bytes
// are equal or differ only in the timestamp (the message then takes the stored timestamp), and
// refused otherwise. Its state is durable: it lives in the node's durable state and survives a
// crash, as privval's state file does (written before the signature is returned).
type signer struct {
	key     crypto.PrivKey
	chainID string

	height    int64
	round     int32
	step      int8
	signBytes []byte
	signature []byte
	timestamp time.Time
}

func newSigner(key crypto.PrivKey, chainID string) *signer {
	return &signer{key: key, chainID: chainID}
}

// check compares the position with the last signed one; same reports an equal position.
func (s *signer) check(height int64, round int32, step int8) (same bool, err error) {
	if plantedBugNoGuard {
		return false, nil
	}
	switch {
	case height < s.height:
		return false, fmt.Errorf("%w: height regression (%d < %d)", errSignRefused, height, s.height)
	case height > s.height:
		return false, nil
	case round < s.round:
		return false, fmt.Errorf("%w: round regression at height %d (%d < %d)", errSignRefused, height, round, s.round)
	case round > s.round:
		return false, nil
	case step < s.step:
		return false, fmt.Errorf("%w: step regression at %d/%d (%d < %d)", errSignRefused, height, round, step, s.step)
	case step > s.step:
		return false, nil
	}
	if len(s.signBytes) == 0 {
		return false, fmt.Errorf("%w: no sign bytes stored for %d/%d/%d", errSignRefused, height, round, step)
	}
	return true, nil
}

func (s *signer) record(height int64, round int32, step int8, signBytes, sig []byte, ts time.Time) {
	s.height, s.round, s.step = height, round, step
	s.signBytes, s.signature, s.timestamp = signBytes, sig, ts
}

// signVote signs v in place (and its extension when it carries one). fresh reports a new
// signature rather than the stored one.
func (s *signer) signVote(v *types.Vote) (fresh bool, err error) {
	step := signStepPrevote
	if v.Type == types.PrecommitType {
		step = signStepPrecommit
	}
	same, err := s.check(v.Height, v.Round, step)
	if err != nil {
		return false, err
	}
	signBytes := v.SignBytes(s.chainID)
	if same {
		if !bytes.Equal(signBytes, s.signBytes) {
			probe := *v
			probe.Timestamp = s.timestamp
			if !bytes.Equal(probe.SignBytes(s.chainID), s.signBytes) {
				return false, fmt.Errorf("%w: conflicting vote at %d/%d/%d", errSignRefused, v.Height, v.Round, step)
			}
			v.Timestamp = s.timestamp
		}
		v.Signature = s.signature
		return false, s.signExtension(v)
	}
	sig, err := s.key.Sign(signBytes)
	if err != nil {
		return false, fmt.Errorf("signing vote: %w", err)
	}
	s.record(v.Height, v.Round, step, signBytes, sig, v.Timestamp)
	v.Signature = sig
	return true, s.signExtension(v)
}

// signExtension signs a non-nil precommit's extension; extensions are outside the guard.
func (s *signer) signExtension(v *types.Vote) error {
	if v.Type != types.PrecommitType || v.BlockID.IsNil() || v.Extension == nil {
		return nil
	}
	sig, err := s.key.Sign(v.ExtensionSignBytes(s.chainID))
	if err != nil {
		return fmt.Errorf("signing vote extension: %w", err)
	}
	v.ExtensionSignature = sig
	return nil
}

// signProposal signs p in place, under the guard.
func (s *signer) signProposal(p *types.Proposal) error {
	same, err := s.check(p.Height, p.Round, signStepPropose)
	if err != nil {
		if p.Height == s.height && p.Round == s.round && s.step > signStepPropose {
			err = fmt.Errorf("%w: %w", errProposalAfterVote, err)
		}
		return err
	}
	signBytes := p.SignBytes(s.chainID)
	if same {
		if !bytes.Equal(signBytes, s.signBytes) {
			probe := *p
			probe.Timestamp = s.timestamp
			if !bytes.Equal(probe.SignBytes(s.chainID), s.signBytes) {
				return fmt.Errorf("%w: conflicting proposal at %d/%d", errSignRefused, p.Height, p.Round)
			}
			p.Timestamp = s.timestamp
		}
		p.Signature = s.signature
		return nil
	}
	sig, err := s.key.Sign(signBytes)
	if err != nil {
		return fmt.Errorf("signing proposal: %w", err)
	}
	s.record(p.Height, p.Round, signStepPropose, signBytes, sig, p.Timestamp)
	p.Signature = sig
	return nil
}

// signUnguarded signs p with the key, bypassing the guard: the equivocator's second proposal.
func (s *signer) signUnguarded(p *types.Proposal) error {
	sig, err := s.key.Sign(p.SignBytes(s.chainID))
	if err != nil {
		return fmt.Errorf("signing proposal: %w", err)
	}
	p.Signature = sig
	return nil
}
