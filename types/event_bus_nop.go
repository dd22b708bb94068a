package types

// NopEventBus discards every event. Components take it when nothing subscribes (tests, tools
// replaying blocks); every method returns nil.
type NopEventBus struct{}

var (
	_ BlockEventPublisher     = NopEventBus{}
	_ ConsensusEventPublisher = NopEventBus{}
)

// PublishEventNewBlock discards the event.
func (NopEventBus) PublishEventNewBlock(EventDataNewBlock) error { return nil }

// PublishEventNewBlockHeader discards the event.
func (NopEventBus) PublishEventNewBlockHeader(EventDataNewBlockHeader) error { return nil }

// PublishEventNewBlockEvents discards the event.
func (NopEventBus) PublishEventNewBlockEvents(EventDataNewBlockEvents) error { return nil }

// PublishEventNewEvidence discards the event.
func (NopEventBus) PublishEventNewEvidence(EventDataNewEvidence) error { return nil }

// PublishEventTx discards the event.
func (NopEventBus) PublishEventTx(EventDataTx) error { return nil }

// PublishEventValidatorSetUpdates discards the event.
func (NopEventBus) PublishEventValidatorSetUpdates(EventDataValidatorSetUpdates) error { return nil }

// PublishEventNewRoundStep discards the event.
func (NopEventBus) PublishEventNewRoundStep(EventDataRoundState) error { return nil }

// PublishEventTimeoutPropose discards the event.
func (NopEventBus) PublishEventTimeoutPropose(EventDataRoundState) error { return nil }

// PublishEventTimeoutWait discards the event.
func (NopEventBus) PublishEventTimeoutWait(EventDataRoundState) error { return nil }

// PublishEventNewRound discards the event.
func (NopEventBus) PublishEventNewRound(EventDataNewRound) error { return nil }

// PublishEventCompleteProposal discards the event.
func (NopEventBus) PublishEventCompleteProposal(EventDataCompleteProposal) error { return nil }

// PublishEventPolka discards the event.
func (NopEventBus) PublishEventPolka(EventDataRoundState) error { return nil }

// PublishEventLock discards the event.
func (NopEventBus) PublishEventLock(EventDataRoundState) error { return nil }

// PublishEventUnlock discards the event.
func (NopEventBus) PublishEventUnlock(EventDataRoundState) error { return nil }

// PublishEventRelock discards the event.
func (NopEventBus) PublishEventRelock(EventDataRoundState) error { return nil }

// PublishEventValidBlock discards the event.
func (NopEventBus) PublishEventValidBlock(EventDataRoundState) error { return nil }

// PublishEventVote discards the event.
func (NopEventBus) PublishEventVote(EventDataVote) error { return nil }
