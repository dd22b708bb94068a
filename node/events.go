package node

import (
	"github.com/ballot-bft/ballot/consensus/core"
	"github.com/ballot-bft/ballot/evidence"
	"github.com/ballot-bft/ballot/libs/log"
	"github.com/ballot-bft/ballot/types"
)

// consensusEvents publishes the consensus machine's events on the event bus.
type consensusEvents struct {
	bus      *types.EventBus
	evidence *evidence.Pool
	logger   log.Logger
}

func (c consensusEvents) Publish(ev core.Event) {
	rs := types.EventDataRoundState{Height: ev.HRS.Height, Round: ev.HRS.Round, Step: ev.HRS.Step.String()}
	var err error
	switch ev.Kind {
	case core.EventNewRoundStep:
		err = c.bus.PublishEventNewRoundStep(rs)
	case core.EventNewRound:
		info := types.ValidatorInfo{Index: ev.ProposerIndex}
		if ev.Proposer != nil {
			info.Address = ev.Proposer.Address
		}
		err = c.bus.PublishEventNewRound(types.EventDataNewRound{Height: rs.Height, Round: rs.Round, Step: rs.Step, Proposer: info})
	case core.EventCompleteProposal:
		err = c.bus.PublishEventCompleteProposal(types.EventDataCompleteProposal{Height: rs.Height, Round: rs.Round, Step: rs.Step, BlockID: ev.BlockID})
	case core.EventVote:
		err = c.bus.PublishEventVote(types.EventDataVote{Vote: ev.Vote})
	case core.EventPolka:
		err = c.bus.PublishEventPolka(rs)
	case core.EventLock:
		err = c.bus.PublishEventLock(rs)
	case core.EventUnlock:
		err = c.bus.PublishEventUnlock(rs)
	case core.EventRelock:
		err = c.bus.PublishEventRelock(rs)
	case core.EventValidBlock:
		err = c.bus.PublishEventValidBlock(rs)
	case core.EventTimeoutPropose:
		err = c.bus.PublishEventTimeoutPropose(rs)
	case core.EventTimeoutWait:
		err = c.bus.PublishEventTimeoutWait(rs)
	}
	if err != nil {
		c.logger.Debug("publishing a consensus event", "event", ev.Kind, "err", err)
	}
}

// ReportConflict hands a validator's conflicting votes to the evidence pool, which turns them into
// evidence once the block time of their height is known.
func (c consensusEvents) ReportConflict(voteA, voteB *types.Vote) {
	c.logger.Error("conflicting votes", "validator", voteA.ValidatorAddress, "height", voteA.Height, "round", voteA.Round, "type", voteA.Type,
		"block_a", voteA.BlockID, "block_b", voteB.BlockID)
	c.evidence.ReportConflictingVotes(voteA, voteB)
}
