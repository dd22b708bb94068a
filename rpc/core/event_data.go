package core

import (
	"fmt"

	"github.com/ballot-bft/ballot/crypto"
	cmtjson "github.com/ballot-bft/ballot/libs/json"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	"github.com/ballot-bft/ballot/types"
)

// The JSON forms of the event bus's payloads (rpc.md §6.3). Subscribers receive them inside
// ResultEvent.Data as {"type": "tendermint/event/<Kind>", "value": …}. They are passed by value
// inside the interface, so the ABCI results in them are written generically (zero fields
// omitted), as CometBFT writes them; only tx_results inside NewBlock, reached through pointers,
// keep every field.

// EventDataNewBlock is the JSON form of types.EventDataNewBlock.
type EventDataNewBlock struct {
	Block               *types.Block               `json:"block"`
	BlockID             types.BlockID              `json:"block_id"`
	ResultFinalizeBlock abci.ResponseFinalizeBlock `json:"result_finalize_block"`
}

// EventDataNewBlockHeader is the JSON form of types.EventDataNewBlockHeader.
type EventDataNewBlockHeader struct {
	Header types.Header `json:"header"`
}

// EventDataNewBlockEvents is the JSON form of types.EventDataNewBlockEvents.
type EventDataNewBlockEvents struct {
	Height int64        `json:"height"`
	Events []abci.Event `json:"events"`
	NumTxs int64        `json:"num_txs"`
}

// EventDataNewEvidence is the JSON form of types.EventDataNewEvidence.
type EventDataNewEvidence struct {
	Evidence types.Evidence `json:"evidence"`
	Height   int64          `json:"height"`
}

// EventDataTx is the JSON form of types.EventDataTx; the key of its only field is "TxResult".
type EventDataTx struct {
	TxResult abci.TxResult
}

// EventDataRoundState is the JSON form of types.EventDataRoundState.
type EventDataRoundState struct {
	Height int64  `json:"height"`
	Round  int32  `json:"round"`
	Step   string `json:"step"`
}

// EventDataValidatorInfo identifies a round's proposer.
type EventDataValidatorInfo struct {
	Address crypto.Address `json:"address"`
	Index   int32          `json:"index"`
}

// EventDataNewRound is the JSON form of types.EventDataNewRound.
type EventDataNewRound struct {
	Height   int64                  `json:"height"`
	Round    int32                  `json:"round"`
	Step     string                 `json:"step"`
	Proposer EventDataValidatorInfo `json:"proposer"`
}

// EventDataCompleteProposal is the JSON form of types.EventDataCompleteProposal.
type EventDataCompleteProposal struct {
	Height  int64         `json:"height"`
	Round   int32         `json:"round"`
	Step    string        `json:"step"`
	BlockID types.BlockID `json:"block_id"`
}

// EventDataVote is the JSON form of types.EventDataVote; the key of its only field is "Vote".
type EventDataVote struct {
	Vote *types.Vote
}

// EventDataString is CometBFT's ProposalString event payload; ballot does not publish it, it is
// registered so that clients sharing this package can decode it.
type EventDataString string

// EventDataValidatorSetUpdates is the JSON form of types.EventDataValidatorSetUpdates.
type EventDataValidatorSetUpdates struct {
	ValidatorUpdates []*types.Validator `json:"validator_updates"`
}

// Registered names of the event payloads and of the evidence types.
const (
	nameNewBlock            = "tendermint/event/NewBlock"
	nameNewBlockHeader      = "tendermint/event/NewBlockHeader"
	nameNewBlockEvents      = "tendermint/event/NewBlockEvents"
	nameNewEvidence         = "tendermint/event/NewEvidence"
	nameTx                  = "tendermint/event/Tx"
	nameRoundState          = "tendermint/event/RoundState"
	nameNewRound            = "tendermint/event/NewRound"
	nameCompleteProposal    = "tendermint/event/CompleteProposal"
	nameVote                = "tendermint/event/Vote"
	nameValidatorSetUpdates = "tendermint/event/ValidatorSetUpdates"
	nameProposalString      = "tendermint/event/ProposalString"

	nameDuplicateVoteEvidence     = "tendermint/DuplicateVoteEvidence"
	nameLightClientAttackEvidence = "tendermint/LightClientAttackEvidence"
)

func init() {
	cmtjson.RegisterType(EventDataNewBlock{}, nameNewBlock)
	cmtjson.RegisterType(EventDataNewBlockHeader{}, nameNewBlockHeader)
	cmtjson.RegisterType(EventDataNewBlockEvents{}, nameNewBlockEvents)
	cmtjson.RegisterType(EventDataNewEvidence{}, nameNewEvidence)
	cmtjson.RegisterType(EventDataTx{}, nameTx)
	cmtjson.RegisterType(EventDataRoundState{}, nameRoundState)
	cmtjson.RegisterType(EventDataNewRound{}, nameNewRound)
	cmtjson.RegisterType(EventDataCompleteProposal{}, nameCompleteProposal)
	cmtjson.RegisterType(EventDataVote{}, nameVote)
	cmtjson.RegisterType(EventDataString(""), nameProposalString)
	cmtjson.RegisterType(EventDataValidatorSetUpdates{}, nameValidatorSetUpdates)

	// Evidence methods have pointer receivers: decode to pointers.
	cmtjson.RegisterType((*types.DuplicateVoteEvidence)(nil), nameDuplicateVoteEvidence)
	cmtjson.RegisterType((*types.LightClientAttackEvidence)(nil), nameLightClientAttackEvidence)
}

// eventDataJSON converts an event bus payload to its registered JSON form. The result is a value
// (not a pointer), to be placed in an interface.
func eventDataJSON(data any) (any, error) {
	switch d := data.(type) {
	case types.EventDataNewBlock:
		return EventDataNewBlock{Block: blockJSON(d.Block), BlockID: d.BlockID, ResultFinalizeBlock: d.ResultFinalizeBlock}, nil
	case types.EventDataNewBlockHeader:
		return EventDataNewBlockHeader{Header: d.Header}, nil
	case types.EventDataNewBlockEvents:
		return EventDataNewBlockEvents{Height: d.Height, Events: d.Events, NumTxs: d.NumTxs}, nil
	case types.EventDataNewEvidence:
		return EventDataNewEvidence{Evidence: d.Evidence, Height: d.Height}, nil
	case types.EventDataTx:
		return EventDataTx{TxResult: d.TxResult}, nil
	case types.EventDataRoundState:
		return EventDataRoundState{Height: d.Height, Round: d.Round, Step: d.Step}, nil
	case types.EventDataNewRound:
		return EventDataNewRound{Height: d.Height, Round: d.Round, Step: d.Step,
			Proposer: EventDataValidatorInfo{Address: d.Proposer.Address, Index: d.Proposer.Index}}, nil
	case types.EventDataCompleteProposal:
		return EventDataCompleteProposal{Height: d.Height, Round: d.Round, Step: d.Step, BlockID: d.BlockID}, nil
	case types.EventDataVote:
		return EventDataVote{Vote: d.Vote}, nil
	case types.EventDataValidatorSetUpdates:
		return EventDataValidatorSetUpdates{ValidatorUpdates: d.ValidatorUpdates}, nil
	}
	return nil, fmt.Errorf("unknown event payload %T", data)
}
