package types

import (
	"fmt"
	"strings"

	"github.com/ballot-bft/ballot/crypto"
	"github.com/ballot-bft/ballot/libs/pubsub/query"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// Event types: the values of the tm.event key, CometBFT's names.
const (
	// Published by the block executor after each committed block, in this order: NewBlock,
	// NewBlockHeader, NewBlockEvents, NewEvidence (per evidence), Tx (per tx, in block
	// order), ValidatorSetUpdates (if any).
	EventNewBlock            = "NewBlock"
	EventNewBlockHeader      = "NewBlockHeader"
	EventNewBlockEvents      = "NewBlockEvents"
	EventNewEvidence         = "NewEvidence"
	EventTx                  = "Tx"
	EventValidatorSetUpdates = "ValidatorSetUpdates"

	// Published by consensus as the algorithm runs.
	EventCompleteProposal = "CompleteProposal"
	EventLock             = "Lock"
	EventNewRound         = "NewRound"
	EventNewRoundStep     = "NewRoundStep"
	EventPolka            = "Polka"
	EventRelock           = "Relock"
	EventTimeoutPropose   = "TimeoutPropose"
	EventTimeoutWait      = "TimeoutWait"
	EventUnlock           = "Unlock"
	EventValidBlock       = "ValidBlock"
	EventVote             = "Vote"
)

// Reserved composite keys of the event map.
const (
	// EventTypeKey carries the event type (every published event).
	EventTypeKey = "tm.event"
	// TxHashKey carries a Tx event's transaction hash, upper-case hex of SHA-256(tx).
	TxHashKey = "tx.hash"
	// TxHeightKey carries a Tx event's block height, in decimal.
	TxHeightKey = "tx.height"
	// BlockHeightKey is the block indexer's height key. The event bus does not add it to
	// NewBlock or NewBlockEvents maps (CometBFT v0.38 does not either); block_search queries
	// use it.
	BlockHeightKey = "block.height"
)

// EventData is the payload of a published event: one of the EventData* types of this
// package. Subscribers receive it as pubsub.Message.Data and must treat it as read-only.
type EventData interface {
	eventData()
}

// EventDataNewBlock is a committed block with its FinalizeBlock results.
type EventDataNewBlock struct {
	Block               *Block
	BlockID             BlockID
	ResultFinalizeBlock abci.ResponseFinalizeBlock
}

// EventDataNewBlockHeader is a committed block's header.
type EventDataNewBlockHeader struct {
	Header Header
}

// EventDataNewBlockEvents is a committed block's FinalizeBlock (block-level) events.
type EventDataNewBlockEvents struct {
	Height int64
	Events []abci.Event
	NumTxs int64
}

// EventDataNewEvidence is a piece of evidence committed in the block at Height.
type EventDataNewEvidence struct {
	Height   int64
	Evidence Evidence
}

// EventDataTx is one transaction's result, as the indexer stores it.
type EventDataTx struct {
	TxResult abci.TxResult
}

// EventDataRoundState is consensus's position, for NewRoundStep, TimeoutPropose,
// TimeoutWait, Polka, Lock, Unlock, Relock and ValidBlock. Step is the step's CometBFT name
// ("RoundStepPropose").
type EventDataRoundState struct {
	Height int64
	Round  int32
	Step   string
}

// ValidatorInfo identifies a validator by address and index in its validator set.
type ValidatorInfo struct {
	Address crypto.Address
	Index   int32
}

// EventDataNewRound is the start of a round, with its proposer.
type EventDataNewRound struct {
	Height   int64
	Round    int32
	Step     string
	Proposer ValidatorInfo
}

// EventDataCompleteProposal says the proposal and all of its block are in.
type EventDataCompleteProposal struct {
	Height  int64
	Round   int32
	Step    string
	BlockID BlockID
}

// EventDataVote is a vote consensus added to its vote sets.
type EventDataVote struct {
	Vote *Vote
}

// EventDataValidatorSetUpdates is the validator updates FinalizeBlock returned.
type EventDataValidatorSetUpdates struct {
	ValidatorUpdates []*Validator
}

func (EventDataNewBlock) eventData()            {}
func (EventDataNewBlockHeader) eventData()      {}
func (EventDataNewBlockEvents) eventData()      {}
func (EventDataNewEvidence) eventData()         {}
func (EventDataTx) eventData()                  {}
func (EventDataRoundState) eventData()          {}
func (EventDataNewRound) eventData()            {}
func (EventDataCompleteProposal) eventData()    {}
func (EventDataVote) eventData()                {}
func (EventDataValidatorSetUpdates) eventData() {}

// Queries for each event type: tm.event = '<type>'.
var (
	EventQueryCompleteProposal    = mustQueryForEvent(EventCompleteProposal)
	EventQueryLock                = mustQueryForEvent(EventLock)
	EventQueryNewBlock            = mustQueryForEvent(EventNewBlock)
	EventQueryNewBlockEvents      = mustQueryForEvent(EventNewBlockEvents)
	EventQueryNewBlockHeader      = mustQueryForEvent(EventNewBlockHeader)
	EventQueryNewEvidence         = mustQueryForEvent(EventNewEvidence)
	EventQueryNewRound            = mustQueryForEvent(EventNewRound)
	EventQueryNewRoundStep        = mustQueryForEvent(EventNewRoundStep)
	EventQueryPolka               = mustQueryForEvent(EventPolka)
	EventQueryRelock              = mustQueryForEvent(EventRelock)
	EventQueryTimeoutPropose      = mustQueryForEvent(EventTimeoutPropose)
	EventQueryTimeoutWait         = mustQueryForEvent(EventTimeoutWait)
	EventQueryTx                  = mustQueryForEvent(EventTx)
	EventQueryUnlock              = mustQueryForEvent(EventUnlock)
	EventQueryValidatorSetUpdates = mustQueryForEvent(EventValidatorSetUpdates)
	EventQueryValidBlock          = mustQueryForEvent(EventValidBlock)
	EventQueryVote                = mustQueryForEvent(EventVote)
)

// QueryForEvent returns the query tm.event = '<eventType>'. It fails for a type the query
// language cannot quote (one containing a single quote).
func QueryForEvent(eventType string) (*query.Query, error) {
	if strings.ContainsRune(eventType, '\'') {
		return nil, fmt.Errorf("event type %q cannot be quoted in a query", eventType)
	}
	return query.Parse(fmt.Sprintf("%s = '%s'", EventTypeKey, eventType))
}

// EventQueryTxFor returns the query for the Tx event of tx:
// tm.event = 'Tx' AND tx.hash = '<HASH>'.
func EventQueryTxFor(tx Tx) *query.Query {
	return query.MustParse(fmt.Sprintf("%s = '%s' AND %s = '%X'", EventTypeKey, EventTx, TxHashKey, tx.Hash()))
}

// mustQueryForEvent is QueryForEvent for the package's own event types.
func mustQueryForEvent(eventType string) *query.Query {
	q, err := QueryForEvent(eventType)
	if err != nil {
		panic(err)
	}
	return q
}
