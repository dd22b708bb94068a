package consensus

import (
	"errors"
	"fmt"

	"github.com/ballot-bft/ballot/consensus/core"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
)

// deferringSigner is a signer (privval.FilePV) that can return before the last fsync of its
// double-sign state and leave it to the returned function, so that the driver runs it alongside
// the WAL's fsync. Both finish before anything signed leaves the node.
type deferringSigner interface {
	SignVoteDeferringSync(chainID string, vote *tmproto.Vote, signExtension bool) (sync func() error, err error)
	SignProposalDeferringSync(chainID string, proposal *tmproto.Proposal) (sync func() error, err error)
}

// signVoteWith signs pb; the returned function, if not nil, is the signer's pending fsync.
func (d *Driver) signVoteWith(pb *tmproto.Vote, extend bool) (func() error, error) {
	if s, ok := d.signer.(deferringSigner); ok {
		return s.SignVoteDeferringSync(d.state.ChainID, pb, extend)
	}
	return nil, d.signer.SignVote(d.state.ChainID, pb, extend)
}

// signProposalWith signs pb; the returned function, if not nil, is the signer's pending fsync.
func (d *Driver) signProposalWith(pb *tmproto.Proposal) (func() error, error) {
	if s, ok := d.signer.(deferringSigner); ok {
		return s.SignProposalDeferringSync(d.state.ChainID, pb)
	}
	return nil, d.signer.SignProposal(d.state.ChainID, pb)
}

// writeOwnWith logs the node's own signed messages like writeOwn while the signer's pending
// fsync, if any, runs on another goroutine; it returns when both are done, so the messages reach
// the machine (and peers) only once the WAL and the signer's state are both durable.
func (d *Driver) writeOwnWith(inputs []core.Input, syncSigner func() error) error {
	if syncSigner == nil {
		return d.writeOwn(inputs)
	}
	signerDone := make(chan error, 1)
	go func() { signerDone <- syncSigner() }()
	walErr := d.writeOwn(inputs)
	var signerErr error
	if err := <-signerDone; err != nil {
		signerErr = fmt.Errorf("consensus: persisting the signer's state: %w", err)
	}
	return errors.Join(walErr, signerErr)
}
