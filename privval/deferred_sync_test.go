package privval

import (
	"bytes"
	"errors"
	"testing"
)

// TestDeferringSyncSignsAsSignVote: the deferring calls hand out the signatures SignVote and
// SignProposal would, leave the new state in the file, and guard the position in memory before
// sync runs.
func TestDeferringSyncSignsAsSignVote(t *testing.T) {
	plain, deferred := newTestPV(t), newTestPV(t)

	want := prevote(1, 0, 1)
	if err := plain.SignVote(testChainID, want, false); err != nil {
		t.Fatal(err)
	}
	got := prevote(1, 0, 1)
	sync, err := deferred.SignVoteDeferringSync(testChainID, got, false)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Signature, want.Signature) {
		t.Fatal("the deferring call signed differently from SignVote")
	}
	// Before sync: the state is already in the file (a process crash keeps it) and a conflicting
	// vote at the position is refused.
	if onDisk := reload(t, deferred).LastSignState(); onDisk.Height != 1 || !bytes.Equal(onDisk.Signature, got.Signature) {
		t.Fatalf("state file before sync: height %d, want height 1 with the signature", onDisk.Height)
	}
	if err := deferred.SignVote(testChainID, prevote(1, 0, 9), false); !errors.Is(err, ErrConflictingData) {
		t.Fatalf("conflicting vote before sync: err = %v, want %v", err, ErrConflictingData)
	}
	if err := sync(); err != nil {
		t.Fatal(err)
	}

	wantProp, gotProp := newProposal(2, 0, 1), newProposal(2, 0, 1)
	if err := plain.SignProposal(testChainID, wantProp); err != nil {
		t.Fatal(err)
	}
	sync, err = deferred.SignProposalDeferringSync(testChainID, gotProp)
	if err != nil {
		t.Fatal(err)
	}
	if err := sync(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(gotProp.Signature, wantProp.Signature) {
		t.Fatal("the deferring call signed the proposal differently from SignProposal")
	}
	if onDisk := reload(t, deferred).LastSignState(); onDisk.Height != 2 || onDisk.Step != StepPropose {
		t.Fatalf("state file after sync: height %d step %v, want the proposal's", onDisk.Height, onDisk.Step)
	}

	// Signing the same message again writes nothing and its sync is a no-op.
	again := newProposal(2, 0, 1)
	if sync, err = deferred.SignProposalDeferringSync(testChainID, again); err != nil || sync() != nil {
		t.Fatalf("signing the same proposal again: %v", err)
	}
	if !bytes.Equal(again.Signature, wantProp.Signature) {
		t.Fatal("the same proposal got another signature")
	}
}

// TestDeferredSyncFailureRewritesState: when the directory fsync fails, the caller learns it from
// sync, and the next signing call writes the state again before signing.
func TestDeferredSyncFailureRewritesState(t *testing.T) {
	pv := newTestPV(t)
	fsys := &failingFS{op: "syncdir", fail: true}
	pv.fs = fsys
	sync, err := pv.SignVoteDeferringSync(testChainID, precommit(1, 0, 1), true)
	if err != nil {
		t.Fatal(err)
	}
	if err := sync(); !errors.Is(err, errDiskTrouble) {
		t.Fatalf("sync: %v, want the fsync failure", err)
	}
	if !pv.dirty {
		t.Fatal("a failed directory fsync left the state marked as written")
	}
	// The disk still fails: the rewrite of the pending state fails, so nothing is signed.
	if err := pv.SignVote(testChainID, prevote(2, 0, 1), false); !errors.Is(err, errDiskTrouble) {
		t.Fatalf("signing while the disk fails: %v, want the write failure", err)
	}
	fsys.fail = false
	next := prevote(2, 0, 1)
	if err := pv.SignVote(testChainID, next, false); err != nil {
		t.Fatal(err)
	}
	if pv.dirty {
		t.Fatal("the state is still marked unwritten after a good write")
	}
	if onDisk := reload(t, pv).LastSignState(); onDisk.Height != 2 || !bytes.Equal(onDisk.Signature, next.Signature) {
		t.Fatalf("state on disk = height %d, want height 2 with the returned signature", onDisk.Height)
	}
}
