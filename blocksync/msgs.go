package blocksync

import (
	"errors"
	"fmt"

	"github.com/ballot-bft/ballot/p2p"
	bcproto "github.com/ballot-bft/ballot/proto/tendermint/blocksync"
	"github.com/ballot-bft/ballot/types"
)

// Channel is the blocksync channel's ID.
const Channel = byte(0x40)

// MaxMessageSize is the largest blocksync message accepted: a block of the largest size plus
// the BlockResponse framing (CometBFT's MaxMsgSize).
const MaxMessageSize = int(types.MaxBlockSizeBytes) + 5

// ErrMalformed is wrapped by the errors peers are stopped for when a message is invalid on its
// own (negative heights, base above height, an undecodable block or commit, too many
// signatures, an unknown message).
var ErrMalformed = errors.New("malformed blocksync message")

// ErrUnsolicited is wrapped by the errors peers are stopped for when they send a block that was
// not asked of them.
var ErrUnsolicited = errors.New("unsolicited block")

// ErrBadBlock is wrapped by the errors peers are stopped for when a block they sent, or the
// commit for it carried by the next block, does not verify.
var ErrBadBlock = errors.New("invalid block")

// ErrPeerTimeout is wrapped by the errors peers are stopped for when they do not answer in time
// or too slowly.
var ErrPeerTimeout = errors.New("peer too slow")

// ErrHeightDecreased is wrapped by the error a peer is stopped for when it reports a lower height
// than it did before.
var ErrHeightDecreased = errors.New("peer height decreased")

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

// checkMessage runs the stateless checks of a received message (p2p.md §8): heights and bases
// not negative, base ≤ height, at most types.MaxVotesCount signatures in a block's last commit or
// an extended commit (checked before the block is decoded), a known message type.
func checkMessage(msg *bcproto.Message) error {
	switch m := msg.Sum.(type) {
	case *bcproto.Message_BlockRequest:
		if m.BlockRequest.Height < 0 {
			return malformed("block request for negative height %d", m.BlockRequest.Height)
		}
	case *bcproto.Message_NoBlockResponse:
		if m.NoBlockResponse.Height < 0 {
			return malformed("no-block response for negative height %d", m.NoBlockResponse.Height)
		}
	case *bcproto.Message_BlockResponse:
		res := m.BlockResponse
		if res.Block == nil {
			return malformed("block response without a block")
		}
		if lc := res.Block.LastCommit; lc != nil && len(lc.Signatures) > types.MaxVotesCount {
			return malformed("last commit with %d signatures, more than %d", len(lc.Signatures), types.MaxVotesCount)
		}
		if ec := res.ExtCommit; ec != nil && len(ec.ExtendedSignatures) > types.MaxVotesCount {
			return malformed("extended commit with %d signatures, more than %d", len(ec.ExtendedSignatures), types.MaxVotesCount)
		}
	case *bcproto.Message_StatusRequest:
	case *bcproto.Message_StatusResponse:
		s := m.StatusResponse
		switch {
		case s.Height < 0 || s.Base < 0:
			return malformed("status with negative height %d or base %d", s.Height, s.Base)
		case s.Base > s.Height:
			return malformed("status with base %d above height %d", s.Base, s.Height)
		}
	default:
		return malformed("unknown message %T", msg.Sum)
	}
	return nil
}

// decodeBlockResponse converts a checked BlockResponse.
func decodeBlockResponse(res *bcproto.BlockResponse) (*types.Block, *types.ExtendedCommit, error) {
	block, err := types.BlockFromProto(res.Block)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: block: %w", ErrMalformed, err)
	}
	var ext *types.ExtendedCommit
	if res.ExtCommit != nil {
		if ext, err = types.ExtendedCommitFromProto(res.ExtCommit); err != nil {
			return nil, nil, fmt.Errorf("%w: extended commit: %w", ErrMalformed, err)
		}
	}
	return block, ext, nil
}

func envelope(msg *bcproto.Message) p2p.Envelope {
	return p2p.Envelope{ChannelID: Channel, Message: msg}
}

func blockRequest(height int64) p2p.Envelope {
	return envelope(&bcproto.Message{Sum: &bcproto.Message_BlockRequest{BlockRequest: &bcproto.BlockRequest{Height: height}}})
}

func noBlockResponse(height int64) p2p.Envelope {
	return envelope(&bcproto.Message{Sum: &bcproto.Message_NoBlockResponse{NoBlockResponse: &bcproto.NoBlockResponse{Height: height}}})
}

func statusRequest() p2p.Envelope {
	return envelope(&bcproto.Message{Sum: &bcproto.Message_StatusRequest{StatusRequest: &bcproto.StatusRequest{}}})
}

func statusResponse(base, height int64) p2p.Envelope {
	return envelope(&bcproto.Message{Sum: &bcproto.Message_StatusResponse{StatusResponse: &bcproto.StatusResponse{Height: height, Base: base}}})
}
