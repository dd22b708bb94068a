package config

import (
	"path/filepath"
	"time"
)

// ConsensusConfig is the [consensus] section: the node-local Tendermint
// timeouts and the consensus WAL. Timeouts are not consensus parameters in
// v0.38; nodes of one network may differ.
type ConsensusConfig struct {
	// RootDir is the home directory (set by SetRoot, not a key).
	RootDir string `toml:"-"`

	// WalPath is the consensus WAL file (see WalFile).
	WalPath string `toml:"wal_file"`
	// TimeoutPropose is the propose wait of round 0.
	TimeoutPropose time.Duration `toml:"timeout_propose"`
	// TimeoutProposeDelta is added to TimeoutPropose per round.
	TimeoutProposeDelta time.Duration `toml:"timeout_propose_delta"`
	// TimeoutPrevote is the prevote-wait of round 0.
	TimeoutPrevote time.Duration `toml:"timeout_prevote"`
	// TimeoutPrevoteDelta is added to TimeoutPrevote per round.
	TimeoutPrevoteDelta time.Duration `toml:"timeout_prevote_delta"`
	// TimeoutPrecommit is the precommit-wait of round 0.
	TimeoutPrecommit time.Duration `toml:"timeout_precommit"`
	// TimeoutPrecommitDelta is added to TimeoutPrecommit per round.
	TimeoutPrecommitDelta time.Duration `toml:"timeout_precommit_delta"`
	// TimeoutCommit is the pause between a commit and the next height.
	TimeoutCommit time.Duration `toml:"timeout_commit"`
	// DoubleSignCheckHeight is how many recent heights to search for our
	// own signatures at startup; 0 disables the check.
	DoubleSignCheckHeight int64 `toml:"double_sign_check_height"`
	// SkipTimeoutCommit starts the next height as soon as all precommits
	// are in.
	SkipTimeoutCommit bool `toml:"skip_timeout_commit"`
	// SkipTimeoutCommitTxs > 0 (a ballot key) starts the next height as
	// soon as all precommits are in and this many txs wait in the mempool.
	SkipTimeoutCommitTxs int `toml:"skip_timeout_commit_txs"`
	// CreateEmptyBlocks proposes blocks without txs; when false round 0
	// waits for txs.
	CreateEmptyBlocks bool `toml:"create_empty_blocks"`
	// CreateEmptyBlocksInterval, when positive, proposes an empty block
	// after this long without txs.
	CreateEmptyBlocksInterval time.Duration `toml:"create_empty_blocks_interval"`
	// PeerGossipSleepDuration is the reactor's idle pause per peer.
	PeerGossipSleepDuration time.Duration `toml:"peer_gossip_sleep_duration"`
	// PeerQueryMaj23SleepDuration is the VoteSetMaj23 query period.
	PeerQueryMaj23SleepDuration time.Duration `toml:"peer_query_maj23_sleep_duration"`
	// BlockTimeTolerance is how far in the future a block time may be (> 0).
	BlockTimeTolerance time.Duration `toml:"block_time_tolerance"`
}

// DefaultConsensusConfig returns the default [consensus] section.
func DefaultConsensusConfig() *ConsensusConfig {
	return &ConsensusConfig{
		WalPath:                     filepath.Join(DefaultDataDir, "cs.wal", "wal"),
		TimeoutPropose:              3 * time.Second,
		TimeoutProposeDelta:         500 * time.Millisecond,
		TimeoutPrevote:              time.Second,
		TimeoutPrevoteDelta:         500 * time.Millisecond,
		TimeoutPrecommit:            time.Second,
		TimeoutPrecommitDelta:       500 * time.Millisecond,
		TimeoutCommit:               time.Second,
		CreateEmptyBlocks:           true,
		PeerGossipSleepDuration:     100 * time.Millisecond,
		PeerQueryMaj23SleepDuration: 2 * time.Second,
		BlockTimeTolerance:          time.Minute,
	}
}

// TestConsensusConfig returns a [consensus] section with millisecond
// timeouts (propose 40ms, prevote/precommit/commit 10ms, deltas 1ms) and
// skip_timeout_commit on.
func TestConsensusConfig() *ConsensusConfig {
	cs := DefaultConsensusConfig()
	cs.TimeoutPropose = 40 * time.Millisecond
	cs.TimeoutProposeDelta = time.Millisecond
	cs.TimeoutPrevote = 10 * time.Millisecond
	cs.TimeoutPrevoteDelta = time.Millisecond
	cs.TimeoutPrecommit = 10 * time.Millisecond
	cs.TimeoutPrecommitDelta = time.Millisecond
	cs.TimeoutCommit = 10 * time.Millisecond
	cs.SkipTimeoutCommit = true
	cs.PeerGossipSleepDuration = 5 * time.Millisecond
	cs.PeerQueryMaj23SleepDuration = 250 * time.Millisecond
	return cs
}

// WalFile returns the consensus WAL path.
func (cs *ConsensusConfig) WalFile() string { return rootify(cs.WalPath, cs.RootDir) }

// Propose returns the propose timeout of round r: timeout_propose +
// r*timeout_propose_delta.
func (cs *ConsensusConfig) Propose(round int32) time.Duration {
	return cs.TimeoutPropose + time.Duration(round)*cs.TimeoutProposeDelta
}

// Prevote returns the prevote-wait timeout of round r.
func (cs *ConsensusConfig) Prevote(round int32) time.Duration {
	return cs.TimeoutPrevote + time.Duration(round)*cs.TimeoutPrevoteDelta
}

// Precommit returns the precommit-wait timeout of round r.
func (cs *ConsensusConfig) Precommit(round int32) time.Duration {
	return cs.TimeoutPrecommit + time.Duration(round)*cs.TimeoutPrecommitDelta
}

// Commit returns the start time of the next height for a block committed
// at t: t + timeout_commit.
func (cs *ConsensusConfig) Commit(t time.Time) time.Time { return t.Add(cs.TimeoutCommit) }

// WaitForTxs reports whether round 0 waits for txs before proposing.
func (cs *ConsensusConfig) WaitForTxs() bool {
	return !cs.CreateEmptyBlocks || cs.CreateEmptyBlocksInterval > 0
}

// ValidateBasic checks the [consensus] keys; see (*Config).ValidateBasic.
func (cs *ConsensusConfig) ValidateBasic() error {
	c := checker{section: "consensus"}
	nonNegative(&c, "timeout_propose", cs.TimeoutPropose)
	nonNegative(&c, "timeout_propose_delta", cs.TimeoutProposeDelta)
	nonNegative(&c, "timeout_prevote", cs.TimeoutPrevote)
	nonNegative(&c, "timeout_prevote_delta", cs.TimeoutPrevoteDelta)
	nonNegative(&c, "timeout_precommit", cs.TimeoutPrecommit)
	nonNegative(&c, "timeout_precommit_delta", cs.TimeoutPrecommitDelta)
	nonNegative(&c, "timeout_commit", cs.TimeoutCommit)
	nonNegative(&c, "double_sign_check_height", cs.DoubleSignCheckHeight)
	nonNegative(&c, "skip_timeout_commit_txs", cs.SkipTimeoutCommitTxs)
	nonNegative(&c, "create_empty_blocks_interval", cs.CreateEmptyBlocksInterval)
	nonNegative(&c, "peer_gossip_sleep_duration", cs.PeerGossipSleepDuration)
	nonNegative(&c, "peer_query_maj23_sleep_duration", cs.PeerQueryMaj23SleepDuration)
	atLeast(&c, "block_time_tolerance", cs.BlockTimeTolerance, 1, "must be positive")
	return c.err()
}
