package core

// onTxsBacklog ends timeout_commit early when the mempool holds skip_timeout_commit_txs
// transactions for this height and every precommit of the previous block is in; if a precommit is
// still missing, its arrival does it (onVote).
func (m *Machine) onTxsBacklog(in TxsBacklog) {
	if m.cfg.SkipTimeoutCommitTxs <= 0 || in.Height != m.h.Height {
		return
	}
	m.backlog = true
	if m.lastCommit != nil && m.lastCommit.HasAll() {
		m.startRound0Early()
	}
}

// startRound0Early starts round 0 before timeout_commit has passed, because of a backlog of
// transactions. The backlog also answers the wait for transactions of create_empty_blocks = false.
func (m *Machine) startRound0Early() {
	if m.round != 0 || m.step != StepNewHeight {
		return
	}
	h := m.h.Height
	m.enterNewRound(h, 0)
	if m.step == StepNewRound {
		m.enterPropose(h, 0)
	}
}
