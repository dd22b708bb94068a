package consensus

import "github.com/ballot-bft/ballot/libs/metrics"

// MetricsSubsystem is the subsystem of the consensus metrics: their names are
// "<namespace>_consensus_<name>", CometBFT v0.38's names.
const MetricsSubsystem = "consensus"

// Metrics are the driver's instruments; NewMetrics makes them. Only the driver's goroutine
// updates them.
type Metrics struct {
	// Height is the height being decided.
	Height metrics.Gauge
	// ValidatorLastSignedHeight is the last height whose commit holds this node's signature
	// (validator_address).
	ValidatorLastSignedHeight metrics.GaugeVec
	// Rounds is the round the height is in.
	Rounds metrics.Gauge
	// RoundDurationSeconds observes how long each round lasted, from its start to the start of
	// the next round or height.
	RoundDurationSeconds metrics.Histogram
	// Validators and ValidatorsPower are the size and total power of the set that decided the
	// last block.
	Validators      metrics.Gauge
	ValidatorsPower metrics.Gauge
	// ValidatorPower is this node's voting power (validator_address).
	ValidatorPower metrics.GaugeVec
	// ValidatorMissedBlocks counts the commits this validator's signature is missing from
	// (validator_address).
	ValidatorMissedBlocks metrics.GaugeVec
	// MissingValidators and MissingValidatorsPower count the validators absent from the last
	// block's LastCommit.
	MissingValidators      metrics.Gauge
	MissingValidatorsPower metrics.Gauge
	// ByzantineValidators and ByzantineValidatorsPower count the validators the last block has
	// duplicate-vote evidence against.
	ByzantineValidators      metrics.Gauge
	ByzantineValidatorsPower metrics.Gauge
	// BlockIntervalSeconds observes the time between a block's header time and its parent's.
	BlockIntervalSeconds metrics.Histogram
	// NumTxs and BlockSizeBytes describe the last committed block.
	NumTxs         metrics.Gauge
	BlockSizeBytes metrics.Gauge
	// ChainSizeBytes and TotalTxs add up the blocks committed since the process started.
	ChainSizeBytes metrics.Counter
	TotalTxs       metrics.Gauge
	// LatestBlockHeight is the height of the last committed block.
	LatestBlockHeight metrics.Gauge
	// BlockParts counts the block parts each peer sent (peer_id).
	BlockParts metrics.CounterVec
	// DuplicateBlockPart counts block parts received that were already held.
	DuplicateBlockPart metrics.Counter
	// DuplicateVote counts votes received that were already held.
	DuplicateVote metrics.Counter
	// StepDurationSeconds observes how long each step lasted (step: "Propose", ...).
	StepDurationSeconds metrics.HistogramVec
	// BlockGossipPartsReceived counts block parts by whether they belonged to the block being
	// gathered (matches_current: "true", "false").
	BlockGossipPartsReceived metrics.CounterVec
	// QuorumPrevoteDelay and QuorumPrecommitDelay are, for the round that committed, the
	// seconds from the proposal's timestamp to the timestamp of the vote that completed +2/3
	// (votes taken in timestamp order); FullPrevoteDelay is the same for the last prevote when
	// every validator prevoted (proposer_address).
	QuorumPrevoteDelay   metrics.GaugeVec
	QuorumPrecommitDelay metrics.GaugeVec
	FullPrevoteDelay     metrics.GaugeVec
	// PrecommitsCounted and PrecommitsStakingPercentage are the number and power share of the
	// round's precommits when its precommit-wait timeout fired.
	PrecommitsCounted           metrics.Gauge
	PrecommitsStakingPercentage metrics.Gauge
	// ProposalReceiveCount counts the proposals the application judged (status: "accepted",
	// "rejected").
	ProposalReceiveCount metrics.CounterVec
	// ProposalCreateCount counts the blocks this node built to propose.
	ProposalCreateCount metrics.Counter
	// RoundVotingPowerPercent is the share of the voting power whose votes of the height came in
	// since the round started (vote_type: "prevote", "precommit").
	RoundVotingPowerPercent metrics.GaugeVec
	// LateVotes counts votes received for an earlier height or round (vote_type).
	LateVotes metrics.CounterVec
}

// NewMetrics makes the consensus metrics with p.
func NewMetrics(p metrics.Provider) *Metrics {
	s := metrics.Subsystem{Provider: p, Name: MetricsSubsystem}
	steps := metrics.ExponentialBucketsRange(0.1, 100, 8)
	return &Metrics{
		Height:                      s.Gauge("height", "Height being decided.").With(),
		ValidatorLastSignedHeight:   s.Gauge("validator_last_signed_height", "Last height whose commit holds this validator's signature.", "validator_address"),
		Rounds:                      s.Gauge("rounds", "Round the current height is in.").With(),
		RoundDurationSeconds:        s.Histogram("round_duration_seconds", "Duration of each round.", steps).With(),
		Validators:                  s.Gauge("validators", "Size of the validator set.").With(),
		ValidatorsPower:             s.Gauge("validators_power", "Total voting power of the validator set.").With(),
		ValidatorPower:              s.Gauge("validator_power", "Voting power of this validator.", "validator_address"),
		ValidatorMissedBlocks:       s.Gauge("validator_missed_blocks", "Commits this validator's signature is missing from.", "validator_address"),
		MissingValidators:           s.Gauge("missing_validators", "Validators absent from the last block's commit.").With(),
		MissingValidatorsPower:      s.Gauge("missing_validators_power", "Voting power absent from the last block's commit.").With(),
		ByzantineValidators:         s.Gauge("byzantine_validators", "Validators with duplicate-vote evidence in the last block.").With(),
		ByzantineValidatorsPower:    s.Gauge("byzantine_validators_power", "Voting power with duplicate-vote evidence in the last block.").With(),
		BlockIntervalSeconds:        s.Histogram("block_interval_seconds", "Time between a block's header time and its parent's.", nil).With(),
		NumTxs:                      s.Gauge("num_txs", "Transactions in the last block.").With(),
		BlockSizeBytes:              s.Gauge("block_size_bytes", "Size of the last block.").With(),
		ChainSizeBytes:              s.Counter("chain_size_bytes", "Bytes of the blocks committed since start.").With(),
		TotalTxs:                    s.Gauge("total_txs", "Transactions committed since start.").With(),
		LatestBlockHeight:           s.Gauge("latest_block_height", "Height of the last committed block.").With(),
		BlockParts:                  s.Counter("block_parts", "Block parts received from each peer.", "peer_id"),
		DuplicateBlockPart:          s.Counter("duplicate_block_part", "Block parts received that were already held.").With(),
		DuplicateVote:               s.Counter("duplicate_vote", "Votes received that were already held.").With(),
		StepDurationSeconds:         s.Histogram("step_duration_seconds", "Duration of each consensus step.", steps, "step"),
		BlockGossipPartsReceived:    s.Counter("block_gossip_parts_received", "Block parts received, by whether they belonged to the block being gathered.", "matches_current"),
		QuorumPrevoteDelay:          s.Gauge("quorum_prevote_delay", "Seconds from the proposal's timestamp to the prevote that completed +2/3.", "proposer_address"),
		QuorumPrecommitDelay:        s.Gauge("quorum_precommit_delay", "Seconds from the proposal's timestamp to the precommit that completed +2/3.", "proposer_address"),
		FullPrevoteDelay:            s.Gauge("full_prevote_delay", "Seconds from the proposal's timestamp to the last prevote, when all validators prevoted.", "proposer_address"),
		PrecommitsCounted:           s.Gauge("precommits_counted", "Precommits held when the precommit-wait timeout fired.").With(),
		PrecommitsStakingPercentage: s.Gauge("precommits_staking_percentage", "Share of the voting power that precommitted when the precommit-wait timeout fired.").With(),
		ProposalReceiveCount:        s.Counter("proposal_receive_count", "Proposals judged by the application, by verdict.", "status"),
		ProposalCreateCount:         s.Counter("proposal_create_count", "Blocks this node built to propose.").With(),
		RoundVotingPowerPercent:     s.Gauge("round_voting_power_percent", "Share of the voting power heard from since the round started.", "vote_type"),
		LateVotes:                   s.Counter("late_votes", "Votes received for an earlier height or round.", "vote_type"),
	}
}

// NopMetrics returns metrics that do nothing, the driver's default.
func NopMetrics() *Metrics { return NewMetrics(metrics.Nop) }
