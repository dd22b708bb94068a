package types

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/ballot-bft/ballot/libs/bits"
)

// Vote-set errors. Conflicting votes are reported as *ConflictingVotesError.
var (
	ErrVoteUnexpectedStep            = errors.New("vote: unexpected height, round or type for this vote set")
	ErrVoteInvalidValidatorIndex     = errors.New("vote: invalid validator index")
	ErrVoteNonDeterministicSignature = errors.New("vote: non-deterministic signature")
	ErrVoteExtensionsDisabled        = errors.New("vote: carries an extension, but vote extensions are disabled")
)

// ConflictingVotesError reports that a validator signed two votes for different block IDs at one
// height, round and type: evidence of equivocation.
type ConflictingVotesError struct {
	VoteA, VoteB *Vote // VoteA was there first
}

func (e *ConflictingVotesError) Error() string {
	return fmt.Sprintf("conflicting votes from validator %X: %v and %v", e.VoteA.ValidatorAddress, e.VoteA.BlockID, e.VoteB.BlockID)
}

// VoteSet collects the prevotes or precommits of one height and round from the validators of a
// validator set, and tracks which block ID (or nil) has +2/3 of the voting power.
//
// Quorum arithmetic (CometBFT v0.38): a block ID has a two-thirds majority when its votes' power
// is at least TotalVotingPower*2/3 + 1 (integer division); "+2/3 of anything" is a total power
// greater than TotalVotingPower*2/3; "all" is the whole power. The first block ID to reach a
// majority stays the set's majority.
//
// A VoteSet is owned by one goroutine (the consensus machine); it is not safe for concurrent use.
type VoteSet struct {
	chainID    string
	height     int64
	round      int32
	msgType    SignedMsgType
	validators *ValidatorSet
	extensions bool // verify vote extensions (precommits at a height with extensions enabled)

	votesBitArray *bits.BitArray
	votes         []*Vote // by validator index: the counted vote of each validator
	sum           int64   // power of the counted votes
	maj23         *BlockID
	byBlock       map[string]*blockVotes // by BlockID.Key()
	peerMaj23s    map[string]BlockID     // by peer ID: the block ID the peer claims has +2/3
}

// blockVotes are the votes for one block ID.
type blockVotes struct {
	peerMaj23 bool // a peer claimed +2/3 for this block ID, so conflicting votes for it are kept
	bitArray  *bits.BitArray
	votes     []*Vote
	sum       int64
}

// NewVoteSet returns an empty vote set for the votes of msgType at height and round by the
// validators of vals. Vote extensions are neither expected nor allowed.
func NewVoteSet(chainID string, height int64, round int32, msgType SignedMsgType, vals *ValidatorSet) *VoteSet {
	if height == 0 {
		panic("types: vote set at height 0")
	}
	return &VoteSet{
		chainID:       chainID,
		height:        height,
		round:         round,
		msgType:       msgType,
		validators:    vals,
		votesBitArray: bits.New(vals.Size()),
		votes:         make([]*Vote, vals.Size()),
		byBlock:       make(map[string]*blockVotes, vals.Size()),
		peerMaj23s:    make(map[string]BlockID),
	}
}

// NewExtendedVoteSet is NewVoteSet for precommits at a height with vote extensions enabled: every
// non-nil precommit must carry a valid extension signature.
func NewExtendedVoteSet(chainID string, height int64, round int32, msgType SignedMsgType, vals *ValidatorSet) *VoteSet {
	vs := NewVoteSet(chainID, height, round, msgType, vals)
	vs.extensions = msgType == PrecommitType
	return vs
}

// ChainID, Height, Round, Type and Size describe the set.
func (vs *VoteSet) ChainID() string              { return vs.chainID }
func (vs *VoteSet) Height() int64                { return vs.height }
func (vs *VoteSet) Round() int32                 { return vs.round }
func (vs *VoteSet) Type() SignedMsgType          { return vs.msgType }
func (vs *VoteSet) Size() int                    { return vs.validators.Size() }
func (vs *VoteSet) Validators() *ValidatorSet    { return vs.validators }
func (vs *VoteSet) ExtensionsEnabled() bool      { return vs.extensions }
func (vs *VoteSet) quorum() int64                { return vs.validators.TotalVotingPower()*2/3 + 1 }
func (vs *VoteSet) BitArray() *bits.BitArray     { return vs.votesBitArray.Copy() }
func (vs *VoteSet) GetByIndex(index int32) *Vote { return vs.votes[index] }

// AddVote verifies vote and adds it. It returns added=false with a nil error for a duplicate. A
// validator's second vote for another block ID returns a *ConflictingVotesError; the vote is still
// kept (added=true) when a peer claimed +2/3 for its block ID (SetPeerMaj23), so that a majority
// can be recognised.
func (vs *VoteSet) AddVote(vote *Vote) (added bool, err error) {
	if vote == nil {
		return false, errors.New("vote: nil")
	}
	index := vote.ValidatorIndex
	switch {
	case index < 0:
		return false, fmt.Errorf("%w: index %d < 0", ErrVoteInvalidValidatorIndex, index)
	case len(vote.ValidatorAddress) == 0:
		return false, fmt.Errorf("%w: empty address", ErrVoteInvalidValidatorAddress)
	case vote.Height != vs.height || vote.Round != vs.round || vote.Type != vs.msgType:
		return false, fmt.Errorf("%w: expected %d/%d/%v, got %d/%d/%v", ErrVoteUnexpectedStep,
			vs.height, vs.round, vs.msgType, vote.Height, vote.Round, vote.Type)
	}
	address, val := vs.validators.GetByIndex(index)
	if val == nil {
		return false, fmt.Errorf("%w: index %d, but the set has %d validators", ErrVoteInvalidValidatorIndex, index, vs.validators.Size())
	}
	if !bytes.Equal(address, vote.ValidatorAddress) {
		return false, fmt.Errorf("%w: vote has %X at index %d, the validator there is %X",
			ErrVoteInvalidValidatorAddress, vote.ValidatorAddress, index, address)
	}

	key := vote.BlockID.Key()
	if existing := vs.voteFor(index, key); existing != nil {
		if bytes.Equal(existing.Signature, vote.Signature) {
			return false, nil
		}
		return false, fmt.Errorf("%w: existing %X, new %X", ErrVoteNonDeterministicSignature, existing.Signature, vote.Signature)
	}

	if vs.extensions {
		if err := vote.VerifyVoteAndExtension(vs.chainID, val.PubKey); err != nil {
			return false, fmt.Errorf("vote from validator %X: %w", address, err)
		}
	} else {
		if len(vote.Extension) > 0 || len(vote.ExtensionSignature) > 0 {
			return false, fmt.Errorf("vote from validator %X: %w", address, ErrVoteExtensionsDisabled)
		}
		if err := vote.Verify(vs.chainID, val.PubKey); err != nil {
			return false, fmt.Errorf("vote from validator %X: %w", address, err)
		}
	}

	added, conflicting := vs.addVerified(vote, key, val.VotingPower)
	if conflicting != nil {
		return added, &ConflictingVotesError{VoteA: conflicting, VoteB: vote}
	}
	return added, nil
}

// voteFor returns the validator's vote for the block ID with key, if the set holds it.
func (vs *VoteSet) voteFor(index int32, key string) *Vote {
	if v := vs.votes[index]; v != nil && v.BlockID.Key() == key {
		return v
	}
	if bv, ok := vs.byBlock[key]; ok {
		return bv.votes[index]
	}
	return nil
}

// addVerified adds a verified, non-duplicate vote. conflicting is the validator's earlier vote for
// another block ID, if any.
func (vs *VoteSet) addVerified(vote *Vote, key string, power int64) (added bool, conflicting *Vote) {
	index := vote.ValidatorIndex
	if existing := vs.votes[index]; existing != nil {
		conflicting = existing
		// The counted vote of a validator follows the majority once there is one.
		if vs.maj23 != nil && vs.maj23.Key() == key {
			vs.votes[index] = vote
		}
	} else {
		vs.votes[index] = vote
		vs.votesBitArray.SetIndex(int(index), true)
		vs.sum += power
	}

	bv, ok := vs.byBlock[key]
	switch {
	case ok && conflicting != nil && !bv.peerMaj23:
		return false, conflicting
	case !ok && conflicting != nil:
		// Nobody claims this block ID matters: don't let an equivocator allocate memory.
		return false, conflicting
	case !ok:
		bv = newBlockVotes(false, vs.validators.Size())
		vs.byBlock[key] = bv
	}

	before := bv.sum
	bv.add(vote, power)
	if quorum := vs.quorum(); before < quorum && bv.sum >= quorum && vs.maj23 == nil {
		id := vote.BlockID
		vs.maj23 = &id
		for i, v := range bv.votes {
			if v != nil {
				vs.votes[i] = v
			}
		}
	}
	return true, conflicting
}

func newBlockVotes(peerMaj23 bool, size int) *blockVotes {
	return &blockVotes{peerMaj23: peerMaj23, bitArray: bits.New(size), votes: make([]*Vote, size)}
}

func (bv *blockVotes) add(vote *Vote, power int64) {
	if bv.votes[vote.ValidatorIndex] != nil {
		return
	}
	bv.bitArray.SetIndex(int(vote.ValidatorIndex), true)
	bv.votes[vote.ValidatorIndex] = vote
	bv.sum += power
}

// SetPeerMaj23 records a peer's claim that blockID has +2/3 in this set. A peer may make one claim
// per set; a different second claim is an error.
func (vs *VoteSet) SetPeerMaj23(peerID string, blockID BlockID) error {
	key := blockID.Key()
	if existing, ok := vs.peerMaj23s[peerID]; ok {
		if existing.Equals(blockID) {
			return nil
		}
		return fmt.Errorf("peer %s claimed +2/3 for %v and then for %v", peerID, existing, blockID)
	}
	vs.peerMaj23s[peerID] = blockID
	if bv, ok := vs.byBlock[key]; ok {
		bv.peerMaj23 = true
	} else {
		vs.byBlock[key] = newBlockVotes(true, vs.validators.Size())
	}
	return nil
}

// BitArrayByBlockID returns which validators voted for blockID, or nil if none are tracked.
func (vs *VoteSet) BitArrayByBlockID(blockID BlockID) *bits.BitArray {
	if bv, ok := vs.byBlock[blockID.Key()]; ok {
		return bv.bitArray.Copy()
	}
	return nil
}

// GetByAddress returns the counted vote of the validator with address, or nil.
func (vs *VoteSet) GetByAddress(address []byte) *Vote {
	index, val := vs.validators.GetByAddress(address)
	if val == nil {
		return nil
	}
	return vs.votes[index]
}

// List returns the counted votes, in validator order.
func (vs *VoteSet) List() []*Vote {
	out := make([]*Vote, 0, len(vs.votes))
	for _, v := range vs.votes {
		if v != nil {
			out = append(out, v)
		}
	}
	return out
}

// HasTwoThirdsMajority reports whether some block ID (or nil) has +2/3.
func (vs *VoteSet) HasTwoThirdsMajority() bool { return vs.maj23 != nil }

// TwoThirdsMajority returns the block ID with +2/3, if there is one.
func (vs *VoteSet) TwoThirdsMajority() (BlockID, bool) {
	if vs.maj23 == nil {
		return BlockID{}, false
	}
	return *vs.maj23, true
}

// HasTwoThirdsAny reports whether votes of more than 2/3 of the power, for anything, are in.
func (vs *VoteSet) HasTwoThirdsAny() bool { return vs.sum > vs.validators.TotalVotingPower()*2/3 }

// HasAll reports whether every validator's vote is in.
func (vs *VoteSet) HasAll() bool { return vs.sum == vs.validators.TotalVotingPower() }

// IsCommit reports whether this is a precommit set with +2/3 for a block (not nil).
func (vs *VoteSet) IsCommit() bool {
	return vs.msgType == PrecommitType && vs.maj23 != nil && !vs.maj23.IsNil()
}

// MakeExtendedCommit builds the commit of the block with +2/3 precommits: one entry per validator,
// COMMIT for a vote for that block, NIL for a vote for nil, ABSENT otherwise. With extensions
// disabled the entries carry no extensions. It panics if the set is not a commit.
func (vs *VoteSet) MakeExtendedCommit(extensionsEnabled bool) *ExtendedCommit {
	if !vs.IsCommit() {
		panic(fmt.Sprintf("types: MakeExtendedCommit on a vote set without a commit: %v", vs))
	}
	sigs := make([]ExtendedCommitSig, len(vs.votes))
	for i, v := range vs.votes {
		sig := v.ExtendedCommitSig()
		if sig.BlockIDFlag == BlockIDFlagCommit && !v.BlockID.Equals(*vs.maj23) {
			sig = NewExtendedCommitSigAbsent()
		}
		if !extensionsEnabled {
			sig.Extension, sig.ExtensionSignature = nil, nil
		}
		sigs[i] = sig
	}
	return &ExtendedCommit{Height: vs.height, Round: vs.round, BlockID: *vs.maj23, ExtendedSignatures: sigs}
}

// String summarizes the set for logs.
func (vs *VoteSet) String() string {
	if vs == nil {
		return "VoteSet{nil}"
	}
	var maj string
	if vs.maj23 != nil {
		maj = " maj23=" + vs.maj23.String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "VoteSet{H:%d R:%d T:%v %v power=%d/%d%s}", vs.height, vs.round, vs.msgType,
		vs.votesBitArray, vs.sum, vs.validators.TotalVotingPower(), maj)
	return b.String()
}

// VoteSetFromExtendedCommit rebuilds the precommit vote set of commit (after a restart, to accept
// late precommits for the last height and to propose the next block). Signatures are verified;
// vote extensions too when extensionsEnabled.
func VoteSetFromExtendedCommit(chainID string, commit *ExtendedCommit, vals *ValidatorSet, extensionsEnabled bool) (*VoteSet, error) {
	var vs *VoteSet
	if extensionsEnabled {
		vs = NewExtendedVoteSet(chainID, commit.Height, commit.Round, PrecommitType, vals)
	} else {
		vs = NewVoteSet(chainID, commit.Height, commit.Round, PrecommitType, vals)
	}
	for i := range commit.ExtendedSignatures {
		if commit.ExtendedSignatures[i].BlockIDFlag == BlockIDFlagAbsent {
			continue
		}
		vote := commit.GetExtendedVote(int32(i))
		if _, err := vs.AddVote(vote); err != nil {
			return nil, fmt.Errorf("commit at height %d, entry %d: %w", commit.Height, i, err)
		}
	}
	return vs, nil
}
