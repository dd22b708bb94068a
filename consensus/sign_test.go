package consensus

import (
	"errors"
	"testing"
	"testing/synctest"

	"github.com/ballot-bft/ballot/privval"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
)

// failingSync is a FilePV whose deferred fsync fails from the given signature on.
type failingSync struct {
	*privval.FilePV
	okSyncs int
}

func (f *failingSync) sync(real func() error) func() error {
	return func() error {
		if f.okSyncs == 0 {
			return errDiskGone
		}
		f.okSyncs--
		return real()
	}
}

func (f *failingSync) SignVoteDeferringSync(chainID string, vote *tmproto.Vote, ext bool) (func() error, error) {
	s, err := f.FilePV.SignVoteDeferringSync(chainID, vote, ext)
	if err != nil {
		return nil, err
	}
	return f.sync(s), nil
}

func (f *failingSync) SignProposalDeferringSync(chainID string, p *tmproto.Proposal) (func() error, error) {
	s, err := f.FilePV.SignProposalDeferringSync(chainID, p)
	if err != nil {
		return nil, err
	}
	return f.sync(s), nil
}

// TestSignerSyncFailureStopsTheDriver: when the signer's deferred fsync fails, the signed message
// goes nowhere (the machine never sees it, so no block is decided with it) and Run stops with
// the failure.
func TestSignerSyncFailureStopsTheDriver(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newTestChain(t, 1, testConfig())
		// Height 1: proposal, prevote and precommit sync; the proposal of height 2 fails.
		c.wrapSigner = func(pv *privval.FilePV) privval.PrivValidator { return &failingSync{FilePV: pv, okSyncs: 3} }
		d := c.start()
		d.done <- <-d.done // wait for Run to fail, leaving its error to stop
		err := d.stop()
		if !errors.Is(err, errDiskGone) {
			t.Fatalf("Run: %v, want the signer's failed fsync", err)
		}
		if h := c.blocks.Height(); h != 1 {
			t.Fatalf("block store at height %d, want 1: the failed proposal of height 2 must go nowhere", h)
		}
		t.Logf("Run: %v", err)
	})
}
