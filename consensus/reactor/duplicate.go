package reactor

import (
	"bytes"

	"github.com/ballot-bft/ballot/consensus/core"
	"github.com/ballot-bft/ballot/types"
)

// holdsVote reports whether v holds a vote identical to vote, field for field: the same vote
// arriving again from another peer, which is common when every validator forwards every vote.
// Such a copy is dropped before consensus, which would log it to the WAL, step the machine
// and publish a snapshot for nothing. A vote that differs in any field, even one that cannot
// verify, still goes to consensus, which judges it.
func holdsVote(v *core.View, vote *types.Vote) bool {
	var held []*types.Vote
	switch {
	case vote.Height == v.HRS.Height:
		held = v.Votes(vote.Round, vote.Type)
	case vote.Height == v.HRS.Height-1 && vote.Type == types.PrecommitType && vote.Round == v.LastCommitRound:
		held = v.LastCommit
	}
	i := int(vote.ValidatorIndex)
	if i < 0 || i >= len(held) || held[i] == nil {
		return false
	}
	return sameVote(held[i], vote)
}

// sameVote reports whether a and b agree in every field.
func sameVote(a, b *types.Vote) bool {
	return a.Type == b.Type && a.Height == b.Height && a.Round == b.Round &&
		a.BlockID.Equals(b.BlockID) && a.Timestamp.Equal(b.Timestamp) &&
		bytes.Equal(a.ValidatorAddress, b.ValidatorAddress) && a.ValidatorIndex == b.ValidatorIndex &&
		bytes.Equal(a.Signature, b.Signature) &&
		bytes.Equal(a.Extension, b.Extension) && bytes.Equal(a.ExtensionSignature, b.ExtensionSignature)
}
