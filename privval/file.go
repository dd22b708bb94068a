package privval

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/ballot-bft/ballot/crypto"
	"github.com/ballot-bft/ballot/crypto/ed25519"
	"github.com/ballot-bft/ballot/internal/atomicfile"
	"github.com/ballot-bft/ballot/libs/fail"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
	"github.com/ballot-bft/ballot/types"
)

// FilePV is a PrivValidator whose key lives in priv_validator_key.json and
// whose last sign state lives in priv_validator_state.json. It is safe for
// concurrent use; all calls are serialized by an internal lock.
//
// The state file is rewritten (atomically, fsynced) on every fresh
// signature, before the signature is returned. If that write fails, the
// FilePV keeps the new, more restrictive state in memory, hands out no
// signature, and rewrites the state before its next signature; so it never
// signs based on a state that is older than what may be on disk.
type FilePV struct {
	mu    sync.Mutex
	key   FilePVKey
	state FilePVLastSignState
	fs    atomicfile.FS
	// dirty is set when the in-memory state may be newer than the file.
	dirty bool
	// deferring is set during a *DeferringSync call: saveState leaves the directory fsync to
	// pending, which the call returns. saves counts state writes, so that a pending fsync only
	// clears dirty for the write it belongs to.
	deferring bool
	pending   func() error
	saves     uint64
}

var _ PrivValidator = (*FilePV)(nil)

// NewFilePV returns a FilePV for privKey with a fresh (zero) last sign
// state. Nothing is written until Save.
func NewFilePV(privKey crypto.PrivKey, keyFilePath, stateFilePath string) *FilePV {
	pub := privKey.PubKey()
	return &FilePV{
		key: FilePVKey{
			Address:  pub.Address(),
			PubKey:   pub,
			PrivKey:  privKey,
			filePath: keyFilePath,
		},
		state: FilePVLastSignState{filePath: stateFilePath},
		fs:    atomicfile.OS,
	}
}

// GenFilePV returns a FilePV with a new random ed25519 key and a fresh last
// sign state. Nothing is written until Save.
func GenFilePV(keyFilePath, stateFilePath string) *FilePV {
	return NewFilePV(ed25519.GenPrivKey(), keyFilePath, stateFilePath)
}

// LoadFilePV loads the key file and the state file. Each error is one line
// naming the bad file and what is wrong with it.
func LoadFilePV(keyFilePath, stateFilePath string) (*FilePV, error) {
	key, err := loadFilePVKey(keyFilePath)
	if err != nil {
		return nil, err
	}
	state, err := loadLastSignState(stateFilePath)
	if err != nil {
		return nil, err
	}
	return &FilePV{key: key, state: state, fs: atomicfile.OS}, nil
}

// LoadFilePVEmptyState loads only the key file and starts from a fresh
// last sign state that will be saved to stateFilePath. It is meant for
// commands that reset or replace the state file (unsafe-reset-all); a node
// that signs must use LoadFilePV, or it loses its double-sign protection.
func LoadFilePVEmptyState(keyFilePath, stateFilePath string) (*FilePV, error) {
	key, err := loadFilePVKey(keyFilePath)
	if err != nil {
		return nil, err
	}
	return &FilePV{key: key, state: FilePVLastSignState{filePath: stateFilePath}, fs: atomicfile.OS}, nil
}

// LoadOrGenFilePV loads the FilePV if the key file exists (failing if the
// state file is missing or bad, as LoadFilePV does); otherwise it generates
// a new key, saves both files (replacing any state file, which cannot
// belong to the new key) and returns it.
func LoadOrGenFilePV(keyFilePath, stateFilePath string) (*FilePV, error) {
	_, err := os.Stat(keyFilePath)
	switch {
	case err == nil:
		return LoadFilePV(keyFilePath, stateFilePath)
	case errors.Is(err, os.ErrNotExist):
		pv := GenFilePV(keyFilePath, stateFilePath)
		if err := pv.Save(); err != nil {
			return nil, err
		}
		return pv, nil
	default:
		return nil, fmt.Errorf("privval: checking key file: %w", err)
	}
}

// Key returns the key half. Keys are immutable; the result shares them.
func (pv *FilePV) Key() FilePVKey {
	pv.mu.Lock()
	defer pv.mu.Unlock()
	return pv.key
}

// LastSignState returns a copy of the last sign state.
func (pv *FilePV) LastSignState() FilePVLastSignState {
	pv.mu.Lock()
	defer pv.mu.Unlock()
	return pv.state.clone()
}

// Address returns the validator address (of the public key).
func (pv *FilePV) Address() crypto.Address {
	pv.mu.Lock()
	defer pv.mu.Unlock()
	return pv.key.Address
}

// PubKey implements PrivValidator. It never fails.
func (pv *FilePV) PubKey() (crypto.PubKey, error) {
	pv.mu.Lock()
	defer pv.mu.Unlock()
	return pv.key.PubKey, nil
}

// Save writes the key file and then the state file, each atomically and
// with mode 0600.
func (pv *FilePV) Save() error {
	pv.mu.Lock()
	defer pv.mu.Unlock()
	if err := pv.key.save(pv.fs); err != nil {
		return err
	}
	return pv.saveState()
}

// Reset sets the last sign state to height 0, round 0, step 0 with no
// signature, and saves both files. It discards the double-sign protection
// and is meant only for unsafe-reset-all.
func (pv *FilePV) Reset() error {
	pv.mu.Lock()
	defer pv.mu.Unlock()
	if err := pv.key.save(pv.fs); err != nil {
		return err
	}
	fresh := FilePVLastSignState{filePath: pv.state.filePath}
	if err := fresh.save(pv.fs); err != nil {
		// The in-memory state stays as it was: more restrictive than
		// whatever the failed write may have left on disk.
		return err
	}
	pv.state = fresh
	pv.dirty = false
	return nil
}

// String summarizes the validator address and last signed position.
func (pv *FilePV) String() string {
	pv.mu.Lock()
	defer pv.mu.Unlock()
	return fmt.Sprintf("PrivValidator{%v LH:%v, LR:%v, LS:%v}", pv.key.Address, pv.state.Height, pv.state.Round, pv.state.Step)
}

// SignVote implements PrivValidator.
func (pv *FilePV) SignVote(chainID string, vote *tmproto.Vote, signExtension bool) error {
	pv.mu.Lock()
	defer pv.mu.Unlock()
	return pv.signVoteReporting(chainID, vote, signExtension)
}

// SignProposal implements PrivValidator.
func (pv *FilePV) SignProposal(chainID string, proposal *tmproto.Proposal) error {
	pv.mu.Lock()
	defer pv.mu.Unlock()
	return pv.signProposalReporting(chainID, proposal)
}

// signVoteReporting is signVote with the error naming the vote. Called with mu held.
func (pv *FilePV) signVoteReporting(chainID string, vote *tmproto.Vote, signExtension bool) error {
	if err := pv.signVote(chainID, vote, signExtension); err != nil {
		return fmt.Errorf("privval: signing %v at height %d round %d: %w", vote.Type, vote.Height, vote.Round, err)
	}
	return nil
}

// signProposalReporting is signProposal with the error naming the proposal. Called with mu held.
func (pv *FilePV) signProposalReporting(chainID string, proposal *tmproto.Proposal) error {
	if err := pv.signProposal(chainID, proposal); err != nil {
		return fmt.Errorf("privval: signing proposal at height %d round %d: %w", proposal.Height, proposal.Round, err)
	}
	return nil
}

// SignVoteDeferringSync signs like SignVote but returns as soon as the new last sign state has
// replaced the state file, before the directory holding it is fsynced: sync takes that step and
// must return nil before the signature leaves the node. The consensus driver runs it alongside
// the fsync of its WAL. A crash of the process at any point keeps the new state; a power loss
// before sync returns may bring the old one back, but then the signature has not left the node.
// If sync fails (or is never called), the next signing call writes the state again first.
func (pv *FilePV) SignVoteDeferringSync(chainID string, vote *tmproto.Vote, signExtension bool) (sync func() error, err error) {
	return pv.deferringSync(func() error { return pv.signVoteReporting(chainID, vote, signExtension) })
}

// SignProposalDeferringSync is SignProposal with the directory fsync left to sync, as
// SignVoteDeferringSync.
func (pv *FilePV) SignProposalDeferringSync(chainID string, proposal *tmproto.Proposal) (sync func() error, err error) {
	return pv.deferringSync(func() error { return pv.signProposalReporting(chainID, proposal) })
}

// deferringSync runs sign with mu held and saveState deferring, and returns the directory fsync
// sign's state write left, or a no-op when it wrote nothing (the same message signed again).
func (pv *FilePV) deferringSync(sign func() error) (func() error, error) {
	pv.mu.Lock()
	defer pv.mu.Unlock()
	pv.deferring = true
	defer func() { pv.deferring = false }()
	err := sign()
	sync := pv.pending
	pv.pending = nil
	if err != nil {
		return nil, err
	}
	if sync == nil {
		return func() error { return nil }, nil
	}
	return sync, nil
}

func (pv *FilePV) signVote(chainID string, vote *tmproto.Vote, signExtension bool) error {
	step, err := voteStep(vote.Type)
	if err != nil {
		return err
	}
	nonNilPrecommit := vote.Type == tmproto.PrecommitType && !isNilBlockID(vote.BlockID)
	if !nonNilPrecommit && len(vote.Extension) > 0 {
		return ErrUnexpectedExtension
	}
	if err := pv.flushDirty(); err != nil {
		return err
	}
	sameHRS, err := pv.state.CheckHRS(vote.Height, vote.Round, step)
	if err != nil {
		return err
	}

	// The extension signature is outside the double-sign check: the
	// application may produce a different extension after a restart, so
	// it is always signed afresh.
	var extSig []byte
	if signExtension && nonNilPrecommit {
		if extSig, err = pv.key.PrivKey.Sign(types.VoteExtensionSignBytes(chainID, vote)); err != nil {
			return fmt.Errorf("signing vote extension: %w", err)
		}
	}

	signBytes := types.VoteSignBytes(chainID, vote)
	if sameHRS {
		if bytes.Equal(signBytes, pv.state.SignBytes) {
			vote.Signature = bytes.Clone(pv.state.Signature)
		} else if ts, ok := voteTimestampOnlyDiff(pv.state.SignBytes, signBytes); ok {
			vote.Timestamp = ts
			vote.Signature = bytes.Clone(pv.state.Signature)
		} else {
			return ErrConflictingData
		}
		vote.ExtensionSignature = extSig
		return nil
	}

	sig, err := pv.key.PrivKey.Sign(signBytes)
	if err != nil {
		return err
	}
	if err := pv.advance(vote.Height, vote.Round, step, sig, signBytes); err != nil {
		return err
	}
	vote.Signature = sig
	vote.ExtensionSignature = extSig
	return nil
}

func (pv *FilePV) signProposal(chainID string, proposal *tmproto.Proposal) error {
	if err := pv.flushDirty(); err != nil {
		return err
	}
	sameHRS, err := pv.state.CheckHRS(proposal.Height, proposal.Round, StepPropose)
	if err != nil {
		return err
	}
	signBytes := types.ProposalSignBytes(chainID, proposal)
	if sameHRS {
		if bytes.Equal(signBytes, pv.state.SignBytes) {
			proposal.Signature = bytes.Clone(pv.state.Signature)
		} else if ts, ok := proposalTimestampOnlyDiff(pv.state.SignBytes, signBytes); ok {
			proposal.Timestamp = ts
			proposal.Signature = bytes.Clone(pv.state.Signature)
		} else {
			return ErrConflictingData
		}
		return nil
	}

	sig, err := pv.key.PrivKey.Sign(signBytes)
	if err != nil {
		return err
	}
	if err := pv.advance(proposal.Height, proposal.Round, StepPropose, sig, signBytes); err != nil {
		return err
	}
	proposal.Signature = sig
	return nil
}

// advance makes (height, round, step, sig, signBytes) the last sign state
// and writes it durably. The in-memory state advances even if the write
// fails (it is then marked dirty), so that no later call can sign a
// conflicting message at a position the file may already record.
func (pv *FilePV) advance(height int64, round int32, step Step, sig, signBytes []byte) error {
	pv.state = FilePVLastSignState{
		Height:    height,
		Round:     round,
		Step:      step,
		Signature: sig,
		SignBytes: signBytes,
		filePath:  pv.state.filePath,
	}
	pv.dirty = true
	return pv.saveState()
}

// flushDirty rewrites the state file if an earlier write failed.
func (pv *FilePV) flushDirty() error {
	if !pv.dirty {
		return nil
	}
	if err := pv.saveState(); err != nil {
		return fmt.Errorf("rewriting last sign state after an earlier failed write: %w", err)
	}
	return nil
}

// saveState writes the state file and clears dirty on success. While deferring, it leaves the
// directory fsync (and clearing dirty) to pv.pending.
func (pv *FilePV) saveState() error {
	fail.Point("privval.beforeStateWrite")
	pv.saves++
	syncDir, err := pv.state.replace(pv.fs)
	if err != nil {
		return err
	}
	fail.Point("privval.afterStateWrite")
	if pv.deferring {
		save := pv.saves
		pv.pending = func() error {
			err := syncDir()
			pv.mu.Lock()
			defer pv.mu.Unlock()
			if err == nil && pv.saves == save {
				pv.dirty = false
			}
			return err
		}
		return nil
	}
	if err := syncDir(); err != nil {
		return err
	}
	pv.dirty = false
	return nil
}

// isNilBlockID reports whether id is the zero BlockID of a nil vote.
func isNilBlockID(id tmproto.BlockID) bool {
	return len(id.Hash) == 0 && id.PartSetHeader.Total == 0 && len(id.PartSetHeader.Hash) == 0
}
