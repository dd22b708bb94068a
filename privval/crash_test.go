package privval

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ballot-bft/ballot/internal/atomicfile"
	"github.com/ballot-bft/ballot/internal/atomicfile/atomicfiletest"
	"github.com/ballot-bft/ballot/types"
)

// These tests crash the state write at each durability boundary and check
// that a restarted signer can never produce two different signatures for
// one height, round and step, and never loses a signature it handed out.

// crashMsg builds the message signed at height 2 (block b, given time).
type crashMsg struct {
	name  string
	build func(b byte, ts time.Time) signed
}

var crashMsgs = []crashMsg{
	{"precommit", func(b byte, ts time.Time) signed {
		v := precommit(2, 0, b)
		v.Timestamp = ts
		return signed{vote: v}
	}},
	{"proposal", func(b byte, ts time.Time) signed {
		p := newProposal(2, 0, b)
		p.Timestamp = ts
		return signed{proposal: p}
	}},
}

func signBytesOf(s signed) []byte {
	if s.vote != nil {
		return types.VoteSignBytes(testChainID, s.vote)
	}
	return types.ProposalSignBytes(testChainID, s.proposal)
}

func stepOf(s signed) Step {
	if s.vote != nil {
		return StepPrecommit
	}
	return StepPropose
}

func timestampOf(s signed) time.Time {
	if s.vote != nil {
		return s.vote.Timestamp
	}
	return s.proposal.Timestamp
}

// crashWhileSigning signs a height-1 precommit, then signs msg with a
// CrashFS that crashes at point, and returns the "restarted" signer.
func crashWhileSigning(t *testing.T, point atomicfiletest.Point, msg signed) *FilePV {
	t.Helper()
	pv := newTestPV(t)
	mustSign(t, pv, signed{vote: precommit(1, 0, 1)})
	crashFS := atomicfiletest.New(point, 0)
	pv.fs = crashFS
	err := msg.sign(pv)
	if !errors.Is(err, atomicfiletest.ErrCrashed) || !crashFS.Crashed() {
		t.Fatalf("signing during the crash: err = %v, want a simulated crash", err)
	}
	if len(sigOf(msg)) != 0 {
		t.Fatal("a signature was handed out although the state write crashed")
	}
	return reload(t, pv)
}

func TestCrashBeforeRenameKeepsOldState(t *testing.T) {
	for _, point := range []atomicfiletest.Point{atomicfiletest.AfterWrite, atomicfiletest.AfterSync} {
		for _, m := range crashMsgs {
			t.Run(fmt.Sprintf("%v/%s", point, m.name), func(t *testing.T) {
				restarted := crashWhileSigning(t, point, m.build(1, baseTime))
				got := restarted.LastSignState()
				if got.Height != 1 || got.Step != StepPrecommit {
					t.Fatalf("state after crash = %d/%d/%v, want the old 1/0/precommit", got.Height, got.Round, got.Step)
				}
				// No signature was handed out at height 2, so signing a
				// different message there is not equivocation.
				other := m.build(7, baseTime.Add(time.Minute))
				if err := other.sign(restarted); err != nil {
					t.Fatalf("signing at the same height after the crash: %v", err)
				}
				pub, _ := restarted.PubKey()
				if !pub.VerifySignature(signBytesOf(other), sigOf(other)) {
					t.Fatal("signature after restart does not verify")
				}
				assertStateEqual(t, reload(t, restarted).LastSignState(), FilePVLastSignState{
					Height: 2, Round: 0, Step: stepOf(other), Signature: sigOf(other), SignBytes: signBytesOf(other),
				})
			})
		}
	}
}

func TestCrashAfterRenameKeepsNewStateAndSignature(t *testing.T) {
	for _, m := range crashMsgs {
		t.Run(m.name, func(t *testing.T) {
			crashed := m.build(1, baseTime)
			restarted := crashWhileSigning(t, atomicfiletest.AfterRename, crashed)
			state := restarted.LastSignState()
			if state.Height != 2 || !bytes.Equal(state.SignBytes, signBytesOf(crashed)) {
				t.Fatalf("state after crash = height %d signbytes %X, want the new state", state.Height, state.SignBytes)
			}

			// Re-signing the same message yields the stored signature.
			same := m.build(1, baseTime)
			if err := same.sign(restarted); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(sigOf(same), state.Signature) {
				t.Fatal("re-signing after the crash did not return the stored signature")
			}
			// Consensus re-signs with a new timestamp after a restart: same
			// signature, stored timestamp.
			later := m.build(1, baseTime.Add(time.Hour))
			if err := later.sign(restarted); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(sigOf(later), state.Signature) || !timestampOf(later).Equal(baseTime) {
				t.Fatal("re-signing with a new timestamp did not return the stored signature and timestamp")
			}
			// A different block at the same position is equivocation.
			other := m.build(7, baseTime)
			if err := other.sign(restarted); !errors.Is(err, ErrConflictingData) {
				t.Fatalf("conflicting message after the crash: err = %v, want %v", err, ErrConflictingData)
			}
		})
	}
}

// failingFS is the OS file system with Rename or SyncDir failing (without
// crashing) while fail is set.
type failingFS struct {
	op   string
	fail bool
}

var errDiskTrouble = errors.New("disk trouble")

func (f *failingFS) CreateTemp(dir, pattern string) (atomicfile.File, error) {
	return atomicfile.OS.CreateTemp(dir, pattern)
}

func (f *failingFS) Rename(oldpath, newpath string) error {
	if f.fail && f.op == "rename" {
		return errDiskTrouble
	}
	return atomicfile.OS.Rename(oldpath, newpath)
}

func (f *failingFS) Remove(name string) error { return atomicfile.OS.Remove(name) }

func (f *failingFS) SyncDir(dir string) error {
	if f.fail && f.op == "syncdir" {
		return errDiskTrouble
	}
	return atomicfile.OS.SyncDir(dir)
}

func TestWriteFailureKeepsProtectionInMemory(t *testing.T) {
	for _, op := range []string{"rename", "syncdir"} {
		t.Run(op, func(t *testing.T) {
			pv := newTestPV(t)
			mustSign(t, pv, signed{vote: precommit(1, 0, 1)})
			fsys := &failingFS{op: op, fail: true}
			pv.fs = fsys

			first := precommit(2, 0, 1)
			if err := pv.SignVote(testChainID, first, true); !errors.Is(err, errDiskTrouble) {
				t.Fatalf("err = %v, want the write failure", err)
			}
			if first.Signature != nil {
				t.Fatal("signature handed out although the state write failed")
			}
			// While the disk keeps failing nothing is signed, not even at a
			// later height.
			if err := pv.SignVote(testChainID, precommit(3, 0, 1), true); !errors.Is(err, errDiskTrouble) {
				t.Fatalf("err = %v, want the write failure", err)
			}

			fsys.fail = false
			// The unsaved position still counts: a conflicting vote there
			// is refused...
			if err := pv.SignVote(testChainID, precommit(2, 0, 7), true); !errors.Is(err, ErrConflictingData) {
				t.Fatalf("conflicting vote: err = %v, want %v", err, ErrConflictingData)
			}
			// ...and the state is now on disk, so the same vote gets its
			// signature.
			again := precommit(2, 0, 1)
			if err := pv.SignVote(testChainID, again, true); err != nil {
				t.Fatal(err)
			}
			onDisk := reload(t, pv).LastSignState()
			if onDisk.Height != 2 || !bytes.Equal(onDisk.Signature, again.Signature) {
				t.Fatalf("state on disk = height %d, want height 2 with the returned signature", onDisk.Height)
			}
		})
	}
}

func TestStaleTemporaryFileIgnoredOnLoad(t *testing.T) {
	pv := newTestPV(t)
	mustSign(t, pv, signed{vote: prevote(1, 0, 1)})
	dir := filepath.Dir(pv.LastSignState().FilePath())
	junk := filepath.Join(dir, ".priv_validator_state.json.tmp-123")
	if err := os.WriteFile(junk, []byte(`{"height": "99"`), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := reload(t, pv).LastSignState(); got.Height != 1 || got.Step != StepPrevote {
		t.Fatalf("state = %d/%v, want 1/prevote", got.Height, got.Step)
	}
}

func TestRefusedVoteDoesNotTouchDisk(t *testing.T) {
	pv := newTestPV(t)
	mustSign(t, pv, signed{vote: precommit(5, 0, 1)})
	// Any file-system use would crash; refusals must not need the disk.
	pv.fs = atomicfiletest.New(atomicfiletest.AfterWrite, 0)
	if err := pv.SignVote(testChainID, precommit(5, 0, 2), true); !errors.Is(err, ErrConflictingData) {
		t.Fatalf("err = %v, want %v", err, ErrConflictingData)
	}
	same := precommit(5, 0, 1)
	if err := pv.SignVote(testChainID, same, true); err != nil || same.Signature == nil {
		t.Fatalf("identical re-sign must not need the disk: %v", err)
	}
}
