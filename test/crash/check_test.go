package crash

import (
	"fmt"
	"strings"
	"testing"
)

// chainSnapshot is a consistent snapshot of a node whose block store holds heights 1..height,
// with state and app at stateHeight, the app hash after height h being "A<h>".
func chainSnapshot(height, stateHeight int64) *Snapshot {
	s := &Snapshot{Blocks: map[int64]BlockInfo{}, Results: map[int64]string{}, Txs: map[string]int64{}, Values: map[string]string{}}
	appHash := func(h int64) string { return fmt.Sprintf("A%d", h) }
	if height > 0 {
		s.Base, s.Height = 1, height
	}
	for h := int64(1); h <= height; h++ {
		s.Blocks[h] = BlockInfo{Hash: fmt.Sprintf("B%d", h), LastBlockHash: fmt.Sprintf("B%d", h-1), AppHash: appHash(h - 1), SeenCommit: fmt.Sprintf("B%d", h)}
	}
	s.Blocks[1] = BlockInfo{Hash: "B1", LastBlockHash: "", AppHash: appHash(0), SeenCommit: "B1"}
	for h := int64(1); h <= stateHeight; h++ {
		s.Results[h] = appHash(h)
	}
	s.StateHeight, s.StateAppHash = stateHeight, appHash(stateHeight)
	s.AppHeight, s.AppHash = stateHeight, appHash(stateHeight)
	s.PrivVal = HRS{Height: height + 1, Round: 0, Step: 2}
	for h := int64(1); h <= height; h++ {
		s.Signed = append(s.Signed,
			Signed{HRS: HRS{h, 0, 1}, BlockHash: fmt.Sprintf("B%d", h), POLRound: -1},
			Signed{HRS: HRS{h, 0, 2}, BlockHash: fmt.Sprintf("B%d", h)},
			Signed{HRS: HRS{h, 0, 3}, BlockHash: fmt.Sprintf("B%d", h)})
		s.EndHeights = append(s.EndHeights, h)
	}
	return s
}

func committed(from, to int64) []Committed {
	var out []Committed
	for h := from; h <= to; h++ {
		out = append(out, Committed{Height: h, Hash: fmt.Sprintf("B%d", h), AppHash: fmt.Sprintf("A%d", h)})
	}
	return out
}

// wantProblems fails unless problems has exactly one entry per wanted substring, in any order.
func wantProblems(t *testing.T, problems []error, want ...string) {
	t.Helper()
	var got []string
	for _, p := range problems {
		got = append(got, p.Error())
	}
	if len(got) != len(want) {
		t.Fatalf("got %d problems, want %d (%q):\n%s", len(got), len(want), want, strings.Join(got, "\n"))
	}
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || strings.Contains(g, w)
		}
		if !found {
			t.Errorf("no problem mentions %q:\n%s", w, strings.Join(got, "\n"))
		}
	}
}

func TestCheckSnapshotAcceptsEveryCrashState(t *testing.T) {
	// Consistent: synced, block saved but not executed, app committed but state not saved.
	wantProblems(t, CheckSnapshot(chainSnapshot(0, 0)))
	wantProblems(t, CheckSnapshot(chainSnapshot(5, 5)))
	wantProblems(t, CheckSnapshot(chainSnapshot(5, 4)))
	s := chainSnapshot(5, 4)
	s.Results[5] = "A5"
	s.AppHeight, s.AppHash = 5, "A5"
	wantProblems(t, CheckSnapshot(s))
}

func TestCheckSnapshotFindsBrokenInvariants(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(s *Snapshot)
		want   []string
	}{
		{"state ahead of the store", func(s *Snapshot) { s.Height, s.StateHeight = 4, 5; delete(s.Blocks, 5) },
			[]string{"the state is at height 5, the block store at 4", "the application is at height 5", "above the block store", "the WAL ends height 5"}},
		{"store two ahead", func(s *Snapshot) {
			s.StateHeight, s.StateAppHash, s.AppHeight, s.AppHash = 3, "A3", 3, "A3"
			delete(s.Results, 4)
			delete(s.Results, 5)
		},
			[]string{"the state is at height 3, the block store at 5"}},
		{"app behind the state", func(s *Snapshot) { s.AppHeight, s.AppHash = 4, "A4" }, []string{"the application is at height 4"}},
		{"app committed without a saved response", func(s *Snapshot) {
			s.StateHeight, s.StateAppHash = 4, "A4"
			delete(s.Results, 5)
		}, []string{"the application committed height 5"}},
		{"broken link", func(s *Snapshot) { b := s.Blocks[3]; b.LastBlockHash = "X"; s.Blocks[3] = b }, []string{"height 3: last_block_id X"}},
		{"seen commit for another block", func(s *Snapshot) { b := s.Blocks[2]; b.SeenCommit = "X"; s.Blocks[2] = b }, []string{"height 2: the seen commit is for X"}},
		{"header app hash differs", func(s *Snapshot) { b := s.Blocks[3]; b.AppHash = "X"; s.Blocks[3] = b }, []string{"height 2: app hash A2 in the saved response, X in the header"}},
		{"missing response", func(s *Snapshot) { delete(s.Results, 2) }, []string{"height 2 is executed but has no saved"}},
		{"state app hash differs", func(s *Snapshot) { s.StateAppHash = "X" }, []string{"the state's app hash X", "with app hashes A5 and X"}},
		{"app hash differs", func(s *Snapshot) { s.AppHash = "X" }, []string{"with app hashes X and A5"}},
		{"end marker before the block", func(s *Snapshot) { s.EndHeights = append(s.EndHeights, 6) }, []string{"the WAL ends height 6"}},
		{"end markers repeat", func(s *Snapshot) { s.EndHeights = append(s.EndHeights, 5) }, []string{"not increasing: 5 after 5"}},
		{"signer state behind the WAL", func(s *Snapshot) { s.PrivVal = HRS{5, 0, 2} }, []string{"our message at 5/0/3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := chainSnapshot(5, 5)
			tc.damage(s)
			wantProblems(t, CheckSnapshot(s), tc.want...)
		})
	}
}

func TestLedgerAcceptsAResumedChain(t *testing.T) {
	l := NewLedger()
	wantProblems(t, l.Record(chainSnapshot(3, 2), Run{Committed: committed(1, 2)}))
	wantProblems(t, l.Record(chainSnapshot(8, 8), Run{Committed: committed(4, 8)}))
}

func TestLedgerFindsLostOrChangedHistory(t *testing.T) {
	for _, tc := range []struct {
		name   string
		second func() (*Snapshot, Run)
		want   []string
	}{
		{"fork", func() (*Snapshot, Run) {
			s := chainSnapshot(8, 8)
			b := s.Blocks[3]
			b.Hash = "F3"
			s.Blocks[3] = b
			s.Blocks[4] = BlockInfo{Hash: "B4", LastBlockHash: "F3", AppHash: "A3", SeenCommit: "B4"}
			s.Blocks[3] = BlockInfo{Hash: "F3", LastBlockHash: "B2", AppHash: "A2", SeenCommit: "F3"}
			return s, Run{Committed: committed(4, 8)}
		}, []string{"fork at height 3: block F3, earlier B3"}},
		{"different app hash on replay", func() (*Snapshot, Run) {
			s := chainSnapshot(8, 8)
			s.Results[2] = "X"
			b := s.Blocks[3]
			b.AppHash = "X"
			s.Blocks[3] = b
			return s, Run{Committed: committed(4, 8)}
		}, []string{"height 2: app hash X, earlier A2"}},
		{"acknowledged block lost", func() (*Snapshot, Run) {
			return chainSnapshot(3, 3), Run{Committed: committed(4, 4)}
		}, []string{"height 4 was acknowledged with block B4 but the block store has", "acknowledged but the saved state is at height 3", "height 4 was acknowledged with app hash A4"}},
		{"gap", func() (*Snapshot, Run) {
			return chainSnapshot(8, 8), Run{Committed: committed(5, 8)}
		}, []string{"acknowledged height 5 where height 4 was next"}},
		{"double sign", func() (*Snapshot, Run) {
			s := chainSnapshot(8, 8)
			s.Signed = append(s.Signed, Signed{HRS: HRS{2, 0, 2}, BlockHash: ""})
			return s, Run{Committed: committed(4, 8)}
		}, []string{"double sign at 2/0/2"}},
		{"signer state went back", func() (*Snapshot, Run) {
			s := chainSnapshot(3, 3)
			s.PrivVal = HRS{3, 0, 3}
			return s, Run{}
		}, []string{"priv validator state went back from 4/0/2 to 3/0/3"}},
		{"acknowledged transaction lost", func() (*Snapshot, Run) {
			s := chainSnapshot(8, 8)
			s.Txs["k5=v5"] = 5
			s.Values["k5"] = "v5"
			s.Txs["k6=v6"] = 7
			s.Values["k7"] = "v6"
			return s, Run{Committed: committed(4, 8), Acked: []AckedTx{{"k5", "v5", 5}, {"k6", "v6", 6}, {"k7", "v7", 7}}}
		}, []string{
			`"k6=v6" was acknowledged at height 6 but the block store has it at height 7`,
			`"k6=v6" was acknowledged at height 6 but the application has k6 = ""`,
			`"k7=v7" was acknowledged at height 7 but the block store has it at height 0`,
			`"k7=v7" was acknowledged at height 7 but the application has k7 = "v6"`,
		}},
		{"state went back", func() (*Snapshot, Run) {
			return chainSnapshot(3, 2), Run{}
		}, []string{"went back: block store 3→3, state 3→2, app 3→2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := NewLedger()
			wantProblems(t, l.Record(chainSnapshot(3, 3), Run{Committed: committed(1, 3)}))
			s, run := tc.second()
			wantProblems(t, l.Record(s, run), tc.want...)
		})
	}
}
