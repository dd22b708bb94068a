package consensus

import (
	"bytes"
	"slices"
	"strings"
	"time"

	"github.com/ballot-bft/ballot/consensus/core"
	"github.com/ballot-bft/ballot/libs/metrics"
	"github.com/ballot-bft/ballot/state"
	"github.com/ballot-bft/ballot/types"
)

// recorder updates the consensus metrics from what the driver sees: the inputs it feeds, the
// events the machine publishes and the blocks it commits. It belongs to the driver's goroutine;
// it never blocks and never reads a store.
type recorder struct {
	m   *Metrics
	now func() time.Time

	// The children the driver updates all the time, resolved once.
	partsMatching, partsOther metrics.Counter
	accepted, rejected        metrics.Counter
	late                      [2]metrics.Counter // by voteKind
	powerGauge                [2]metrics.Gauge
	steps                     map[core.Step]metrics.Histogram

	step       core.Step // the step being timed (0: none yet)
	stepStart  time.Time
	roundStart time.Time // zero until a round started outside the WAL replay
	power      [2]float64
}

// voteKind indexes per-type children: 0 prevote, 1 precommit.
func voteKind(t types.SignedMsgType) int {
	if t == types.PrecommitType {
		return 1
	}
	return 0
}

var voteKindLabels = [2]string{"prevote", "precommit"}

func newRecorder(m *Metrics, now func() time.Time) *recorder {
	r := &recorder{
		m: m, now: now,
		partsMatching: m.BlockGossipPartsReceived.With("true"),
		partsOther:    m.BlockGossipPartsReceived.With("false"),
		accepted:      m.ProposalReceiveCount.With("accepted"),
		rejected:      m.ProposalReceiveCount.With("rejected"),
		steps:         map[core.Step]metrics.Histogram{},
	}
	for k, label := range voteKindLabels {
		r.late[k] = m.LateVotes.With(label)
		r.powerGauge[k] = m.RoundVotingPowerPercent.With(label)
	}
	for s := core.StepNewHeight; s <= core.StepCommit; s++ {
		r.steps[s] = m.StepDurationSeconds.With(strings.TrimPrefix(s.String(), "RoundStep"))
	}
	return r
}

// input classifies an input about to be fed, against v, the machine's view before it (nil
// before the machine runs): late and duplicate votes, block parts for the block being gathered
// or not, and who sent them.
func (r *recorder) input(in core.Input, v *core.View) {
	switch in := in.(type) {
	case core.VoteMessage:
		r.vote(in.Vote, v)
	case core.BlockPartMessage:
		if in.From != "" {
			r.m.BlockParts.With(string(in.From)).Add(1)
		}
		r.blockPart(in, v)
	}
}

func (r *recorder) vote(vote *types.Vote, v *core.View) {
	if v == nil || vote == nil {
		return
	}
	hrs := v.HRS
	if vote.Height < hrs.Height || (vote.Height == hrs.Height && vote.Round < hrs.Round) {
		r.late[voteKind(vote.Type)].Add(1)
	}
	var held []*types.Vote
	switch {
	case vote.Height == hrs.Height:
		held = v.Votes(vote.Round, vote.Type)
	case vote.Height+1 == hrs.Height && vote.Type == types.PrecommitType:
		held = v.LastCommit
	}
	if i := int(vote.ValidatorIndex); i >= 0 && i < len(held) && held[i] != nil && bytes.Equal(held[i].Signature, vote.Signature) {
		r.m.DuplicateVote.Add(1)
	}
}

func (r *recorder) blockPart(msg core.BlockPartMessage, v *core.View) {
	if v == nil || msg.Part == nil || msg.Height != v.HRS.Height || v.PartsHeader.Total == 0 || msg.Part.Index >= v.PartsHeader.Total {
		r.partsOther.Add(1)
		return
	}
	r.partsMatching.Add(1)
	if i := int(msg.Part.Index); i < len(v.ProposalBlockParts) && v.ProposalBlockParts[i] != nil {
		r.m.DuplicateBlockPart.Add(1)
	}
}

// event records a published event; v is the view before the input that caused it. Step and
// round timings are not taken while replaying the WAL (they would time the replay).
func (r *recorder) event(ev core.Event, v *core.View, replaying bool) {
	switch ev.Kind {
	case core.EventNewRoundStep:
		r.m.Height.Set(float64(ev.HRS.Height))
		now := r.now()
		if !replaying && r.step != 0 {
			if h := r.steps[r.step]; h != nil {
				h.Observe(now.Sub(r.stepStart).Seconds())
			}
		}
		r.step, r.stepStart = ev.HRS.Step, now
		if replaying {
			r.step = 0
		}
	case core.EventNewRound:
		r.m.Rounds.Set(float64(ev.HRS.Round))
		now := r.now()
		if !replaying && !r.roundStart.IsZero() {
			r.m.RoundDurationSeconds.Observe(now.Sub(r.roundStart).Seconds())
		}
		r.roundStart = now
		if replaying {
			r.roundStart = time.Time{}
		}
		for k := range r.power {
			r.power[k] = 0
			r.powerGauge[k].Set(0)
		}
	case core.EventVote:
		if v == nil || ev.Vote == nil || ev.Vote.Height != v.HRS.Height || v.Validators == nil {
			return
		}
		_, val := v.Validators.GetByIndex(ev.Vote.ValidatorIndex)
		if total := v.Validators.TotalVotingPower(); val != nil && total > 0 {
			k := voteKind(ev.Vote.Type)
			r.power[k] += float64(val.VotingPower) / float64(total)
			r.powerGauge[k].Set(r.power[k])
		}
	case core.EventTimeoutWait:
		if ev.HRS.Step >= core.StepPrecommit && v != nil {
			r.precommitsAtTimeout(v, ev.HRS.Round)
		}
	}
}

// precommitsAtTimeout records how many of round's precommits were held when its precommit-wait
// timeout fired, and their share of the power.
func (r *recorder) precommitsAtTimeout(v *core.View, round int32) {
	var n int
	var power int64
	for _, vote := range v.Votes(round, types.PrecommitType) {
		if vote == nil {
			continue
		}
		n++
		if _, val := v.Validators.GetByIndex(vote.ValidatorIndex); val != nil {
			power += val.VotingPower
		}
	}
	r.m.PrecommitsCounted.Set(float64(n))
	if total := v.Validators.TotalVotingPower(); total > 0 {
		r.m.PrecommitsStakingPercentage.Set(float64(power) / float64(total))
	}
}

// proposalJudged records the application's verdict on a proposal.
func (r *recorder) proposalJudged(accepted bool) {
	if accepted {
		r.accepted.Add(1)
	} else {
		r.rejected.Add(1)
	}
}

// committed records a block just executed: st is the state it was executed on, self this node's
// validator address (nil if none) and v the machine's view at the commit (for the vote delays).
func (r *recorder) committed(st state.State, block *types.Block, self []byte, v *core.View) {
	m := r.m
	if st.Validators != nil {
		m.Validators.Set(float64(st.Validators.Size()))
		m.ValidatorsPower.Set(float64(st.Validators.TotalVotingPower()))
	}
	r.lastCommit(st, block, self)
	r.evidence(st, block)
	if block.Height > st.InitialHeight && !st.LastBlockTime.IsZero() {
		m.BlockIntervalSeconds.Observe(block.Time.Sub(st.LastBlockTime).Seconds())
	}
	size := float64(block.Size())
	m.NumTxs.Set(float64(len(block.Txs)))
	m.TotalTxs.Add(float64(len(block.Txs)))
	m.BlockSizeBytes.Set(size)
	m.ChainSizeBytes.Add(size)
	m.LatestBlockHeight.Set(float64(block.Height))
	if v != nil {
		r.voteDelays(v)
	}
}

// lastCommit records who is missing from the block's LastCommit (the previous height's
// validators) and, for this node's validator, its power and whether it signed.
func (r *recorder) lastCommit(st state.State, block *types.Block, self []byte) {
	var missing int
	var missingPower int64
	vals := st.LastValidators
	if block.Height > st.InitialHeight && block.LastCommit != nil && vals != nil {
		for i, val := range vals.Validators {
			if i >= len(block.LastCommit.Signatures) {
				break
			}
			flag := block.LastCommit.Signatures[i].BlockIDFlag
			if flag == types.BlockIDFlagAbsent {
				missing++
				missingPower += val.VotingPower
			}
			if len(self) == 0 || !bytes.Equal(val.Address, self) {
				continue
			}
			addr := val.Address.String()
			r.m.ValidatorPower.With(addr).Set(float64(val.VotingPower))
			if flag == types.BlockIDFlagCommit {
				r.m.ValidatorLastSignedHeight.With(addr).Set(float64(block.Height)) // CometBFT's value: the block's height
			} else {
				r.m.ValidatorMissedBlocks.With(addr).Add(1)
			}
		}
	}
	r.m.MissingValidators.Set(float64(missing))
	r.m.MissingValidatorsPower.Set(float64(missingPower))
}

// evidence records the validators of st that the block's duplicate-vote evidence accuses.
func (r *recorder) evidence(st state.State, block *types.Block) {
	var n int
	var power int64
	for _, ev := range block.Evidence.Evidence {
		dve, ok := ev.(*types.DuplicateVoteEvidence)
		if !ok || dve.VoteA == nil || st.Validators == nil {
			continue
		}
		if _, val := st.Validators.GetByAddress(dve.VoteA.ValidatorAddress); val != nil {
			n++
			power += val.VotingPower
		}
	}
	r.m.ByzantineValidators.Set(float64(n))
	r.m.ByzantineValidatorsPower.Set(float64(power))
}

// voteDelays records, for the round v is in, the delays from the proposal's timestamp to the
// votes that completed +2/3 and, when every validator prevoted, to the last prevote.
func (r *recorder) voteDelays(v *core.View) {
	if v.Proposal == nil || v.Validators == nil || v.Validators.Size() == 0 {
		return
	}
	proposer := v.Validators.GetProposer().Address.String()
	prevotes := sortedVotes(v.Votes(v.HRS.Round, types.PrevoteType))
	if at, ok := quorumTime(prevotes, v.Validators); ok {
		r.m.QuorumPrevoteDelay.With(proposer).Set(at.Sub(v.Proposal.Timestamp).Seconds())
	}
	if len(prevotes) > 0 && len(prevotes) == v.Validators.Size() {
		r.m.FullPrevoteDelay.With(proposer).Set(prevotes[len(prevotes)-1].Timestamp.Sub(v.Proposal.Timestamp).Seconds())
	}
	if at, ok := quorumTime(sortedVotes(v.Votes(v.HRS.Round, types.PrecommitType)), v.Validators); ok {
		r.m.QuorumPrecommitDelay.With(proposer).Set(at.Sub(v.Proposal.Timestamp).Seconds())
	}
}

// sortedVotes returns the votes held, in timestamp order.
func sortedVotes(held []*types.Vote) []*types.Vote {
	votes := make([]*types.Vote, 0, len(held))
	for _, vote := range held {
		if vote != nil {
			votes = append(votes, vote)
		}
	}
	slices.SortStableFunc(votes, func(a, b *types.Vote) int { return a.Timestamp.Compare(b.Timestamp) })
	return votes
}

// quorumTime returns the timestamp of the vote (in the given order) with which the votes reach
// more than 2/3 of vals' power.
func quorumTime(votes []*types.Vote, vals *types.ValidatorSet) (time.Time, bool) {
	need := vals.TotalVotingPower()*2/3 + 1
	var seen int64
	for _, vote := range votes {
		if _, val := vals.GetByIndex(vote.ValidatorIndex); val != nil {
			seen += val.VotingPower
		}
		if seen >= need {
			return vote.Timestamp, true
		}
	}
	return time.Time{}, false
}
