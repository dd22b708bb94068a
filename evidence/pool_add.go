package evidence

import (
	"fmt"

	"github.com/ballot-bft/ballot/types"
)

// AddEvidence verifies evidence from a peer or the RPC and keeps it as pending. Evidence already
// pending or committed is accepted without a second verification (a peer that is behind may
// still send committed evidence; that is not misbehaviour).
//
// Errors for invalid evidence wrap types.ErrInvalidEvidence and a reason (see the package
// documentation); the evidence reactor disconnects the sender on those. Other errors — a
// database failure, or evidence that expired while it was being verified — do not.
func (p *Pool) AddEvidence(ev types.Evidence) error {
	if ev == nil {
		return invalid(ErrMalformed, "nil evidence")
	}
	p.mtx.Lock()
	st := p.state
	_, pending := p.pending[string(pendingKey(ev))]
	p.mtx.Unlock()
	if pending {
		return nil
	}
	if committed, err := p.isCommitted(ev); err != nil || committed {
		return err
	}
	if err := p.verify(st, ev); err != nil {
		return err
	}

	p.mtx.Lock()
	defer p.mtx.Unlock()
	// The state may have moved on during verification: committed or expired since?
	if committed, err := p.isCommitted(ev); err != nil || committed {
		return err
	}
	if expired(p.state, ev.Height(), ev.Time()) {
		return fmt.Errorf("%w: evidence at height %d expired at height %d", ErrExpired, ev.Height(), p.state.LastBlockHeight)
	}
	if err := p.addPendingLocked(ev); err != nil {
		return err
	}
	p.logger.Info("verified new evidence of byzantine behavior", "evidence", ev)
	return nil
}

// CheckEvidence checks the evidence of a proposed block: each item verifies against the chain
// (evidence already pending and identical by hash is not verified again, except light client
// attacks, whose hash does not cover every field), none is already committed, and no item
// appears twice. Evidence that verifies and was not pending becomes pending.
//
// The block executor calls it while validating a block. Errors for invalid evidence wrap
// types.ErrInvalidEvidence and one of the reasons, ErrCommitted and ErrDuplicate included.
func (p *Pool) CheckEvidence(evl types.EvidenceList) error {
	seen := make(map[string]int, len(evl))
	for i, ev := range evl {
		if ev == nil {
			return fmt.Errorf("evidence %d: %w", i, invalid(ErrMalformed, "nil evidence"))
		}
		hash := string(ev.Hash())
		if j, dup := seen[hash]; dup {
			return fmt.Errorf("evidence %d: %w", i, invalid(ErrDuplicate, "same as evidence %d (%X)", j, ev.Hash()))
		}
		seen[hash] = i
		if err := p.checkOne(ev); err != nil {
			return fmt.Errorf("evidence %d: %w", i, err)
		}
	}
	return nil
}

func (p *Pool) checkOne(ev types.Evidence) error {
	committed, err := p.isCommitted(ev)
	if err != nil {
		return err
	}
	if committed {
		return invalid(ErrCommitted, "%v", ev)
	}
	p.mtx.Lock()
	st := p.state
	_, pending := p.pending[string(pendingKey(ev))]
	p.mtx.Unlock()
	if _, light := ev.(*types.LightClientAttackEvidence); pending && !light {
		return nil
	}
	if err := p.verify(st, ev); err != nil {
		return err
	}
	p.mtx.Lock()
	defer p.mtx.Unlock()
	if committed, err := p.isCommitted(ev); err == nil && !committed {
		if err := p.addPendingLocked(ev); err != nil {
			// The evidence is valid; failing to keep it only costs a later re-verification.
			p.logger.Error("cannot keep verified block evidence as pending", "evidence", ev, "err", err)
		}
	}
	p.logger.Debug("verified block evidence", "evidence", ev)
	return nil
}

// ReportConflictingVotes buffers two conflicting votes of one validator seen by consensus. The
// pair becomes DuplicateVoteEvidence at the first Update whose state has committed the votes'
// height, with that block's time and the validator set of that height; pairs that do not make
// valid evidence are dropped then (and logged). The votes are not verified here and must not
// be modified afterwards. It never blocks on I/O.
func (p *Pool) ReportConflictingVotes(voteA, voteB *types.Vote) {
	if voteA == nil || voteB == nil {
		return
	}
	p.mtx.Lock()
	defer p.mtx.Unlock()
	if len(p.buffer) >= maxBufferedPairs {
		p.logger.Error("too many conflicting votes waiting; dropping the oldest", "height", p.buffer[0].a.Height)
		p.buffer = p.buffer[1:]
	}
	p.buffer = append(p.buffer, votePair{a: voteA, b: voteB})
}
