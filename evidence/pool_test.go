package evidence

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	dbm "github.com/cometbft/cometbft-db"

	"github.com/ballot-bft/ballot/blockstore"
	"github.com/ballot-bft/ballot/state"
	"github.com/ballot-bft/ballot/types"
)

// The real stores serve the pool, and the pool serves the block executor.
var (
	_ StateStore         = (*state.DBStore)(nil)
	_ BlockStore         = (*blockstore.BlockStore)(nil)
	_ state.EvidencePool = (*Pool)(nil)
)

func TestPendingToCommittedLifecycle(t *testing.T) {
	c := newTestChain(t, "a", "b", "c", "d")
	c.advanceTo(5)
	p := c.newPool(dbm.NewMemDB())
	ev := c.duplicateVote(1, 3)

	if err := p.AddEvidence(ev); err != nil {
		t.Fatalf("AddEvidence: %v", err)
	}
	if got := p.Size(); got != 1 {
		t.Fatalf("pending size %d, want 1", got)
	}
	pending, size := p.PendingEvidence(-1)
	data := types.EvidenceData{Evidence: pending}
	if want, _ := data.ByteSize(); size != want || len(pending) != 1 || pending[0] != types.Evidence(ev) {
		t.Fatalf("PendingEvidence = %v (%d bytes), want [ev] (%d bytes)", pending, size, want)
	}
	if err := p.CheckEvidence(types.EvidenceList{ev}); err != nil {
		t.Fatalf("CheckEvidence of pending evidence: %v", err)
	}

	st := c.advance(ev)
	p.Update(st, types.EvidenceList{ev})
	if got := p.Size(); got != 0 {
		t.Fatalf("pending size after commit %d, want 0", got)
	}
	if _, ok := p.EvidenceFront(); ok {
		t.Fatal("committed evidence still offered for gossip")
	}
	if p.State().LastBlockHeight != 6 {
		t.Fatalf("pool height %d, want 6", p.State().LastBlockHeight)
	}
	// A peer that is behind may still send it: accepted, not kept, not blamed.
	if err := p.AddEvidence(ev); err != nil {
		t.Fatalf("AddEvidence of committed evidence: %v", err)
	}
	if got := p.Size(); got != 0 {
		t.Fatalf("committed evidence became pending again (size %d)", got)
	}
	// A block carrying it again is invalid.
	err := p.CheckEvidence(types.EvidenceList{ev})
	if !errors.Is(err, ErrCommitted) || !errors.Is(err, types.ErrInvalidEvidence) {
		t.Fatalf("CheckEvidence of committed evidence: %v, want ErrCommitted", err)
	}
}

func TestAddEvidenceRejectsInvalid(t *testing.T) {
	c := newTestChain(t, "a", "b", "c", "d")
	c.advanceTo(20)
	cases := []struct {
		name   string
		ev     func() types.Evidence
		reason error
		text   string
	}{
		{"wrong timestamp", func() types.Evidence {
			ev := c.duplicateVote(0, 15)
			ev.Timestamp = ev.Timestamp.Add(time.Nanosecond)
			return ev
		}, ErrTimeMismatch, "block 15 time"},
		{"from the future", func() types.Evidence { return c.duplicateVote(0, 21) }, ErrFromFuture,
			"evidence height 21 is above the last committed height 20"},
		{"wrong validator power", func() types.Evidence {
			ev := c.duplicateVote(0, 15)
			ev.ValidatorPower = 5
			return ev
		}, ErrPowerMismatch, "validator power 5"},
		{"bad signature", func() types.Evidence {
			ev := c.duplicateVote(2, 15)
			ev.VoteA.Signature[3] ^= 0x80
			return ev
		}, ErrBadSignature, "vote A"},
		{"malformed", func() types.Evidence {
			ev := c.duplicateVote(2, 15)
			ev.VoteA, ev.VoteB = ev.VoteB, ev.VoteA
			return ev
		}, ErrMalformed, "block ID order"},
		{"nil", func() types.Evidence { return nil }, ErrMalformed, "nil evidence"},
	}
	p := c.newPool(dbm.NewMemDB())
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := p.AddEvidence(tc.ev())
			if !errors.Is(err, types.ErrInvalidEvidence) || !errors.Is(err, tc.reason) {
				t.Fatalf("got %v, want %v wrapped in ErrInvalidEvidence", err, tc.reason)
			}
			if !strings.Contains(err.Error(), tc.text) {
				t.Fatalf("error %q does not say %q", err, tc.text)
			}
			if p.Size() != 0 {
				t.Fatal("invalid evidence became pending")
			}
		})
	}
}

func TestAddEvidenceOfPrunedHeight(t *testing.T) {
	c := newTestChain(t, "a", "b")
	c.advanceTo(8)
	ev := c.duplicateVote(0, 2)
	c.blocks.prune(5)
	p := c.newPool(dbm.NewMemDB())
	if err := p.AddEvidence(ev); !errors.Is(err, ErrUnknownHeight) || !errors.Is(err, types.ErrInvalidEvidence) {
		t.Fatalf("got %v, want ErrUnknownHeight", err)
	}
}

func TestExpiredNeedsBothAges(t *testing.T) {
	params := types.EvidenceParams{MaxAgeNumBlocks: 10, MaxAgeDuration: 30 * time.Minute}
	st := state.State{LastBlockHeight: 100, LastBlockTime: genesisTime.Add(time.Hour)}
	st.ConsensusParams.Evidence = params
	cases := []struct {
		height int64
		age    time.Duration
		want   bool
	}{
		{90, 31 * time.Minute, false},                   // blocks at the limit
		{89, 30 * time.Minute, false},                   // time at the limit
		{89, 31 * time.Minute, true},                    // both beyond
		{50, time.Minute, false},                        // only blocks beyond
		{99, 10 * time.Hour, false},                     // only time beyond
		{100, 0, false},                                 // the last block
		{1, 59 * time.Minute, true},                     // far beyond
		{89, 30*time.Minute + time.Nanosecond, true},    // time just beyond
		{90, 30*time.Minute + time.Nanosecond, false},   // blocks not beyond
		{100 - 11, 30*time.Minute - time.Second, false}, // time not beyond
	}
	for _, tc := range cases {
		if got := expired(st, tc.height, st.LastBlockTime.Add(-tc.age)); got != tc.want {
			t.Errorf("height %d, age %v: expired = %v, want %v", tc.height, tc.age, got, tc.want)
		}
	}
}

func TestExpiryInThePool(t *testing.T) {
	// One block a minute; evidence lives 10 blocks and 30 minutes.
	c := newTestChain(t, "a", "b", "c")
	c.advanceTo(2)
	ev := c.duplicateVote(0, 1)
	p := c.newPool(dbm.NewMemDB())
	if err := p.AddEvidence(ev); err != nil {
		t.Fatal(err)
	}
	// 11 blocks but only 11 minutes old: not expired.
	p.Update(c.advanceTo(12), nil)
	if p.Size() != 1 {
		t.Fatal("evidence older in blocks only was pruned")
	}
	// 30 blocks and 30 minutes: still not (the duration must be exceeded).
	p.Update(c.advanceTo(31), nil)
	if p.Size() != 1 {
		t.Fatal("evidence at the age limit was pruned")
	}
	// 31 blocks and 31 minutes: expired and pruned.
	p.Update(c.advanceTo(32), nil)
	if p.Size() != 0 {
		t.Fatal("expired evidence still pending")
	}
	if _, ok := p.EvidenceFront(); ok {
		t.Fatal("expired evidence still offered for gossip")
	}
	err := p.AddEvidence(ev)
	if !errors.Is(err, ErrExpired) || !errors.Is(err, types.ErrInvalidEvidence) {
		t.Fatalf("AddEvidence of expired evidence: %v, want ErrExpired", err)
	}

	// With a long block limit, age in time alone does not expire evidence.
	c.params.MaxAgeNumBlocks = 1000
	p2 := c.newPool(dbm.NewMemDB())
	if err := p2.AddEvidence(ev); err != nil {
		t.Fatalf("evidence older in time only: %v", err)
	}
}

func TestPendingEvidenceRespectsMaxBytes(t *testing.T) {
	c := newTestChain(t, "a", "b", "c", "d")
	c.advanceTo(6)
	p := c.newPool(dbm.NewMemDB())
	// Added newest first; proposed oldest first.
	evs := []*types.DuplicateVoteEvidence{c.duplicateVote(0, 4), c.duplicateVote(1, 3), c.duplicateVote(2, 2)}
	for _, ev := range evs {
		if err := p.AddEvidence(ev); err != nil {
			t.Fatal(err)
		}
	}
	oldestFirst := types.EvidenceList{evs[2], evs[1], evs[0]}
	// prefix[i] is the size of the i oldest evidence.
	prefix := []int64{0}
	smallest := int64(1 << 62)
	for _, ev := range oldestFirst {
		s, err := listSize(ev)
		if err != nil {
			t.Fatal(err)
		}
		prefix = append(prefix, prefix[len(prefix)-1]+s)
		smallest = min(smallest, s)
	}
	cases := []struct {
		maxBytes int64
		want     int
	}{
		{0, 0}, {smallest - 1, 0}, {prefix[1], 1}, {prefix[2] - 1, 1}, {prefix[2], 2},
		{prefix[3] - 1, 2}, {prefix[3], 3}, {1 << 20, 3}, {-1, 3},
	}
	for _, tc := range cases {
		got, size := p.PendingEvidence(tc.maxBytes)
		want := oldestFirst[:tc.want]
		if !slices.Equal(hashesOf(got...), hashesOf(want...)) {
			t.Errorf("maxBytes %d: got %d evidence %v, want %v", tc.maxBytes, len(got), hashesOf(got...), hashesOf(want...))
		}
		data := types.EvidenceData{Evidence: got}
		if wantSize, _ := data.ByteSize(); size != wantSize || size != prefix[tc.want] {
			t.Errorf("maxBytes %d: size %d, want %d", tc.maxBytes, size, wantSize)
		}
	}
}

func TestCheckEvidence(t *testing.T) {
	c := newTestChain(t, "a", "b", "c", "d")
	c.advanceTo(6)
	p := c.newPool(dbm.NewMemDB())
	known, fresh := c.duplicateVote(0, 3), c.duplicateVote(1, 4)
	if err := p.AddEvidence(known); err != nil {
		t.Fatal(err)
	}
	// Valid evidence new to the pool verifies and becomes pending.
	if err := p.CheckEvidence(types.EvidenceList{known, fresh}); err != nil {
		t.Fatalf("CheckEvidence: %v", err)
	}
	if !slices.Equal(pendingHashes(p), hashesOf(known, fresh)) {
		t.Fatalf("pending %v, want both", pendingHashes(p))
	}

	err := p.CheckEvidence(types.EvidenceList{known, fresh, known})
	if !errors.Is(err, ErrDuplicate) || !errors.Is(err, types.ErrInvalidEvidence) || !strings.Contains(err.Error(), "evidence 2") {
		t.Fatalf("duplicate in block: %v, want ErrDuplicate at evidence 2", err)
	}
	bad := c.duplicateVote(2, 4)
	bad.TotalVotingPower++
	err = p.CheckEvidence(types.EvidenceList{fresh, bad})
	if !errors.Is(err, ErrPowerMismatch) || !strings.Contains(err.Error(), "evidence 1") {
		t.Fatalf("invalid evidence in block: %v, want ErrPowerMismatch at evidence 1", err)
	}
	if err := p.CheckEvidence(nil); err != nil {
		t.Fatalf("empty list: %v", err)
	}
}

func TestReportConflictingVotesBecomeEvidenceAtUpdate(t *testing.T) {
	c := newTestChain(t, "a", "b", "c", "d")
	c.advanceTo(4)
	p := c.newPool(dbm.NewMemDB())
	wake := p.EvidenceWaitChan()

	// Conflicting votes at the height being decided (5), at an earlier height (3) and at a later
	// height (6); and a pair with a bad signature.
	p.ReportConflictingVotes(c.vote(1, 5, "x"), c.vote(1, 5, "y"))
	p.ReportConflictingVotes(c.vote(2, 3, "y"), c.vote(2, 3, "x"))
	p.ReportConflictingVotes(c.vote(3, 6, "x"), c.vote(3, 6, "y"))
	forged := c.vote(0, 5, "y")
	forged.Signature[0] ^= 1
	p.ReportConflictingVotes(c.vote(0, 5, "x"), forged)
	if p.Size() != 0 {
		t.Fatal("reported votes became evidence before the height was committed")
	}
	select {
	case <-wake:
		t.Fatal("wait channel closed before any evidence")
	default:
	}

	p.Update(c.advance(), nil) // height 5 committed
	<-wake                     // closed by the new evidence; a missed wake-up would hang the test
	pending, _ := p.PendingEvidence(-1)
	if len(pending) != 2 {
		t.Fatalf("pending %v, want the evidence of heights 3 and 5", pending)
	}
	for i, h := range []int64{3, 5} {
		ev, ok := pending[i].(*types.DuplicateVoteEvidence)
		if !ok || ev.Height() != h || !ev.Timestamp.Equal(blockTime(h)) || ev.TotalVotingPower != 40 || ev.ValidatorPower != 10 {
			t.Fatalf("evidence %d = %v, want height %d at %v with powers 10/40", i, pending[i], h, blockTime(h))
		}
		if err := VerifyDuplicateVote(ev, testChainID, c.vals); err != nil {
			t.Fatalf("evidence %d does not verify: %v", i, err)
		}
		if err := p.CheckEvidence(types.EvidenceList{ev}); err != nil {
			t.Fatalf("evidence %d rejected in a block: %v", i, err)
		}
	}

	p.Update(c.advance(), nil) // height 6 committed: the buffered pair of height 6
	if p.Size() != 3 {
		t.Fatalf("pending size %d after height 6, want 3", p.Size())
	}
	p.Update(c.advance(), nil) // nothing left in the buffer
	if p.Size() != 3 {
		t.Fatalf("pending size %d after height 7, want 3", p.Size())
	}
}

func TestDeduplication(t *testing.T) {
	c := newTestChain(t, "a", "b", "c")
	c.advanceTo(4)
	p := c.newPool(dbm.NewMemDB())
	ev := c.duplicateVote(0, 4)
	for range 3 {
		if err := p.AddEvidence(ev); err != nil {
			t.Fatal(err)
		}
	}
	// The same equivocation reported by consensus, in either order, twice.
	p.ReportConflictingVotes(ev.VoteA, ev.VoteB)
	p.ReportConflictingVotes(ev.VoteB, ev.VoteA)
	// And a new one reported twice.
	a, b := c.vote(1, 5, "p"), c.vote(1, 5, "q")
	p.ReportConflictingVotes(a, b)
	p.ReportConflictingVotes(b, a)
	p.Update(c.advance(), nil)
	if p.Size() != 2 {
		t.Fatalf("pending %v, want 2 distinct evidence", pendingHashes(p))
	}
	n := 0
	for e, ok := p.EvidenceFront(); ok; e, ok = p.NextEvidence(e.Seq) {
		n++
	}
	if n != 2 {
		t.Fatalf("gossip offers %d evidence, want 2", n)
	}
}

func TestReportedVotesAlreadyCommittedAreDropped(t *testing.T) {
	c := newTestChain(t, "a", "b", "c")
	c.advanceTo(3)
	p := c.newPool(dbm.NewMemDB())
	ev := c.duplicateVote(2, 3)
	if err := p.AddEvidence(ev); err != nil {
		t.Fatal(err)
	}
	p.ReportConflictingVotes(ev.VoteA, ev.VoteB)
	// The block at height 4 commits the evidence while the same votes sit in the buffer.
	p.Update(c.advance(ev), types.EvidenceList{ev})
	if p.Size() != 0 {
		t.Fatalf("committed evidence re-added from the buffer: %v", pendingHashes(p))
	}
}

func TestUpdateMarksMissedBlocksCommitted(t *testing.T) {
	c := newTestChain(t, "a", "b", "c")
	c.advanceTo(3)
	p := c.newPool(dbm.NewMemDB())
	ev := c.duplicateVote(1, 2)
	if err := p.AddEvidence(ev); err != nil {
		t.Fatal(err)
	}
	c.advance(ev)              // height 4 commits ev, but the pool is not told
	p.Update(c.advance(), nil) // height 5
	if p.Size() != 0 {
		t.Fatal("evidence of a missed block still pending")
	}
	if err := p.CheckEvidence(types.EvidenceList{ev}); !errors.Is(err, ErrCommitted) {
		t.Fatalf("got %v, want ErrCommitted", err)
	}
}

func TestUpdateWithOldStateKeepsPoolState(t *testing.T) {
	c := newTestChain(t, "a", "b")
	c.advanceTo(5)
	old := c.state()
	p := c.newPool(dbm.NewMemDB())
	p.Update(c.advance(), nil)
	ev := c.duplicateVote(0, 5)
	p.Update(old, types.EvidenceList{ev})
	if got := p.State().LastBlockHeight; got != 6 {
		t.Fatalf("pool height %d, want 6", got)
	}
	if err := p.CheckEvidence(types.EvidenceList{ev}); !errors.Is(err, ErrCommitted) {
		t.Fatalf("evidence given with the old state: %v, want ErrCommitted", err)
	}
}

func TestPendingEvidenceSkipsWhatNoBlockCanCarry(t *testing.T) {
	c := newTestChain(t, "a", "b", "c", "d")
	c.advanceTo(6)
	p := c.newPool(dbm.NewMemDB())
	big, small := c.lunatic(2, 4, 0, 1, 2, 3), c.duplicateVote(0, 3) // big is older
	for _, ev := range []types.Evidence{small, big} {
		if err := p.AddEvidence(ev); err != nil {
			t.Fatal(err)
		}
	}
	bigSize, _ := listSize(big)
	smallSize, _ := listSize(small)
	if bigSize <= 2*smallSize {
		t.Fatalf("test assumes a large attack: %d vs %d bytes", bigSize, smallSize)
	}
	cases := []struct {
		maxBytes int64
		want     []types.Evidence
	}{
		{smallSize, []types.Evidence{small}},   // big never fits: skipped
		{bigSize - 1, []types.Evidence{small}}, // likewise
		{bigSize, []types.Evidence{big}},       // big fits alone and is older: small waits
		{bigSize + smallSize, []types.Evidence{big, small}},
	}
	for _, tc := range cases {
		got, size := p.PendingEvidence(tc.maxBytes)
		if !slices.Equal(hashesOf(got...), hashesOf(tc.want...)) || size > tc.maxBytes {
			t.Errorf("maxBytes %d: got %v (%d bytes), want %v", tc.maxBytes, hashesOf(got...), size, hashesOf(tc.want...))
		}
	}
}
