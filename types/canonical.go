package types

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/cosmos/gogoproto/proto"

	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
)

// Sign bytes are the length-delimited (uvarint length prefix) protobuf encodings of the canonical
// messages. They are what validators sign, and they must be byte-identical to CometBFT's, or a
// mixed network would reject every signature.

// VoteSignBytes returns the bytes a validator signs for vote on chainID: the length-delimited
// CanonicalVote. A nil vote (empty BlockID) omits the block ID entirely. The vote's address, index,
// signature and extension fields are not signed.
func VoteSignBytes(chainID string, vote *tmproto.Vote) []byte {
	return marshalDelimited(CanonicalizeVote(chainID, vote))
}

// VoteExtensionSignBytes returns the bytes a validator signs for the extension of a non-nil
// precommit: the length-delimited CanonicalVoteExtension.
func VoteExtensionSignBytes(chainID string, vote *tmproto.Vote) []byte {
	return marshalDelimited(&tmproto.CanonicalVoteExtension{
		Extension: vote.Extension,
		Height:    vote.Height,
		Round:     int64(vote.Round),
		ChainId:   chainID,
	})
}

// ProposalSignBytes returns the bytes a proposer signs for proposal on chainID: the
// length-delimited CanonicalProposal.
func ProposalSignBytes(chainID string, proposal *tmproto.Proposal) []byte {
	return marshalDelimited(CanonicalizeProposal(chainID, proposal))
}

// CanonicalizeVote returns the canonical form of vote on chainID.
func CanonicalizeVote(chainID string, vote *tmproto.Vote) *tmproto.CanonicalVote {
	return &tmproto.CanonicalVote{
		Type:      vote.Type,
		Height:    vote.Height,
		Round:     int64(vote.Round),
		BlockID:   canonicalizeBlockID(vote.BlockID),
		Timestamp: vote.Timestamp,
		ChainID:   chainID,
	}
}

// CanonicalizeProposal returns the canonical form of proposal on chainID.
func CanonicalizeProposal(chainID string, proposal *tmproto.Proposal) *tmproto.CanonicalProposal {
	return &tmproto.CanonicalProposal{
		Type:      tmproto.ProposalType,
		Height:    proposal.Height,
		Round:     int64(proposal.Round),
		POLRound:  int64(proposal.PolRound),
		BlockID:   canonicalizeBlockID(proposal.BlockID),
		Timestamp: proposal.Timestamp,
		ChainID:   chainID,
	}
}

// canonicalizeBlockID returns nil for the zero BlockID (a vote for nil), so that it is omitted from
// the sign bytes.
func canonicalizeBlockID(id tmproto.BlockID) *tmproto.CanonicalBlockID {
	if len(id.Hash) == 0 && id.PartSetHeader.Total == 0 && len(id.PartSetHeader.Hash) == 0 {
		return nil
	}
	return &tmproto.CanonicalBlockID{
		Hash: id.Hash,
		PartSetHeader: tmproto.CanonicalPartSetHeader{
			Total: id.PartSetHeader.Total,
			Hash:  id.PartSetHeader.Hash,
		},
	}
}

// CanonicalTime formats t the way CometBFT renders times in JSON and logs: RFC 3339 in UTC with
// nanoseconds, trailing zeros trimmed.
func CanonicalTime(t time.Time) string {
	return t.UTC().Format(time.RFC3339Nano)
}

// marshalDelimited encodes msg with a uvarint length prefix. The canonical messages contain only
// scalars, bytes and timestamps, so encoding cannot fail; a failure is a broken invariant.
func marshalDelimited(msg proto.Message) []byte {
	body, err := proto.Marshal(msg)
	if err != nil {
		panic(fmt.Sprintf("types: encoding canonical %T: %v", msg, err))
	}
	out := make([]byte, 0, len(body)+binary.MaxVarintLen64)
	out = binary.AppendUvarint(out, uint64(len(body)))
	return append(out, body...)
}
