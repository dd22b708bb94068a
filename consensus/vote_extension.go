package consensus

import (
	"bytes"

	"github.com/ballot-bft/ballot/consensus/core"
	"github.com/ballot-bft/ballot/types"
)

// peerInput feeds a peer's message, written to the WAL first. A non-nil precommit of another
// validator at the current height, when vote extensions are enabled there, is first shown to the
// application (VerifyVoteExtension), as CometBFT does: a precommit whose extension the
// application rejects is dropped before the WAL and the machine see it. One whose signatures do
// not verify goes to the machine, whose vote set refuses it and has the peer punished.
func (d *Driver) peerInput(msg PeerMessage) error {
	if vm, ok := msg.(core.VoteMessage); ok && d.extensionToVerify(vm.Vote) {
		accepted, err := d.exec.VerifyVoteExtension(d.ctx, vm.Vote, d.state)
		if err != nil {
			return err // the application connection failed: the node cannot go on
		}
		if !accepted {
			d.logger.Debug("the application rejected a vote extension; dropping the precommit",
				"height", vm.Vote.Height, "round", vm.Vote.Round, "validator", vm.Vote.ValidatorAddress, "peer", vm.From)
			return nil
		}
	}
	return d.input(msg, logWAL)
}

// extensionToVerify reports whether vote is another validator's non-nil precommit at the current
// height with vote extensions enabled, whose vote and extension signatures verify.
func (d *Driver) extensionToVerify(vote *types.Vote) bool {
	height := d.state.LastBlockHeight + 1
	if d.state.LastBlockHeight == 0 {
		height = d.state.InitialHeight
	}
	if vote == nil || vote.Type != types.PrecommitType || vote.BlockID.IsNil() || vote.Height != height ||
		!d.state.ConsensusParams.ABCI.VoteExtensionsEnabled(height) || bytes.Equal(vote.ValidatorAddress, d.machineAddress()) {
		return false
	}
	addr, val := d.state.Validators.GetByIndex(vote.ValidatorIndex)
	if val == nil || !bytes.Equal(addr, vote.ValidatorAddress) {
		return false
	}
	return vote.VerifyVoteAndExtension(d.state.ChainID, val.PubKey) == nil
}
