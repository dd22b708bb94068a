package privval

import (
	"github.com/ballot-bft/ballot/crypto"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
)

// PrivValidator signs consensus messages with a validator's key and refuses
// to sign anything that could make the validator equivocate.
//
// Contract for implementations:
//   - Calls may come from any goroutine; an implementation serializes them.
//     In a node the consensus shell's event loop is the only caller of the
//     Sign methods; RPC and startup code call PubKey.
//   - When a Sign method returns nil, the state that makes the signature safe
//     (last signed height, round, step and sign bytes) is already durable: a
//     crash right after the return cannot lead to a conflicting signature
//     after restart. A message is therefore safe to broadcast as soon as the
//     call returns.
//   - When a Sign method returns an error, the message is left unchanged and
//     no signature was handed out.
//   - Messages are the protobuf wire forms, as in the remote-signer
//     protocol; chainID is the chain the signature is for.
type PrivValidator interface {
	// PubKey returns the validator's public key.
	PubKey() (crypto.PubKey, error)

	// SignVote signs vote for chainID and sets vote.Signature. If
	// signExtension is true and vote is a non-nil precommit it also sets
	// vote.ExtensionSignature to a fresh signature of the vote-extension
	// sign bytes; otherwise vote.ExtensionSignature is cleared. A prevote
	// or nil precommit carrying an extension is refused.
	//
	// When vote repeats the last signed height, round and step and differs
	// from what was signed there only in its timestamp, the stored
	// signature is returned and vote.Timestamp is set to the stored
	// timestamp. Any other repeat or regression is refused.
	SignVote(chainID string, vote *tmproto.Vote, signExtension bool) error

	// SignProposal signs proposal for chainID and sets proposal.Signature,
	// under the same double-sign rules as SignVote (proposals are the
	// first step of a round).
	SignProposal(chainID string, proposal *tmproto.Proposal) error
}
