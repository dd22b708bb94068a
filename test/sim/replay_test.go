package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// replayRun runs a seed of a scenario, cut to d of simulated time, with an event log.
func replayRun(t testing.TB, scenario string, seed uint64, d time.Duration) (*Sim, Result, []byte) {
	t.Helper()
	sc, _ := LookupScenario(scenario)
	cfg := sc.Config(seed)
	cfg.Duration, cfg.LivenessBound = d, 0
	var log bytes.Buffer
	s, err := New(cfg, &log)
	if err != nil {
		t.Fatal(err)
	}
	res := s.Run()
	if res.LogErr != nil {
		t.Fatal(res.LogErr)
	}
	return s, res, log.Bytes()
}

// TestReplayReproducesEveryNode replays every node of a run with crashes, partitions, an
// equivocator and a twin into fresh machines: each must reproduce every recorded action and
// decide the blocks its node committed.
func TestReplayReproducesEveryNode(t *testing.T) {
	s, res, log := replayRun(t, "chaos", 3, 40*time.Second)
	if res.Violation != nil || res.Stats.Crashes == 0 {
		t.Fatalf("run: %v", res)
	}
	for _, n := range s.nodes {
		rep, err := Replay(bytes.NewReader(log), n.index, nil)
		if err != nil {
			t.Fatalf("n%d: %v", n.index, err)
		}
		if rep.Mismatch != nil {
			t.Fatalf("n%d diverged: %v", n.index, rep)
		}
		// Every block the node committed was decided again, in order, with the same hash.
		var want []ReplayCommit
		for h := int64(1); h <= n.chain.height; h++ {
			want = append(want, ReplayCommit{Height: h, Block: fmt.Sprintf("%X", []byte(n.chain.blocks[h].block.Hash()))})
		}
		if !sameCommits(rep.Commits, want) {
			t.Fatalf("n%d: replayed commits %v, node committed %v", n.index, rep.Commits, want)
		}
		if rep.Machines < 1 || rep.Steps == 0 || rep.Actions == 0 {
			t.Fatalf("n%d: %v", n.index, rep)
		}
		if n.up && (rep.Final == nil || rep.Final.Height != n.chain.height+1) {
			t.Fatalf("n%d at height %d: replay ends at %v", n.index, n.chain.height+1, rep.Final)
		}
	}
}

// sameCommits compares decisions; a node may have decided a height again after a crash (the
// replay then shows it twice), so repeated heights must repeat the block.
func sameCommits(got, want []ReplayCommit) bool {
	byHeight := map[int64]string{}
	for _, c := range got {
		if b, ok := byHeight[c.Height]; ok && b != c.Block {
			return false
		}
		byHeight[c.Height] = c.Block
	}
	if len(byHeight) != len(want) {
		return false
	}
	for _, c := range want {
		if byHeight[c.Height] != c.Block {
			return false
		}
	}
	return true
}

// TestReplayFindsDivergence tampers with a recorded log: the replay must stop at the first
// action that differs.
func TestReplayFindsDivergence(t *testing.T) {
	_, _, log := replayRun(t, "calm", 1, 10*time.Second)
	lines := bytes.Split(bytes.TrimSpace(log), []byte("\n"))
	find := func(from int, step int, substr string) int {
		for i := from; i >= 0 && i < len(lines); i += step {
			if bytes.Contains(lines[i], []byte(substr)) {
				return i
			}
		}
		t.Fatalf("no %s in the log", substr)
		return -1
	}
	replay := func(lines [][]byte) ReplayReport {
		t.Helper()
		rep, err := Replay(bytes.NewReader(bytes.Join(lines, []byte("\n"))), 1, nil)
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	if rep := replay(lines); rep.Mismatch != nil {
		t.Fatalf("the untouched log diverged: %v", rep)
	}

	// The call whose actions include n1's first vote happens a second later: the vote's
	// timestamp differs.
	sign := find(0, 1, `"node":1,"kind":"act","type":"SignVote"`)
	call := find(sign, -1, `"node":1,"kind":"in"`)
	later := append([][]byte(nil), lines...)
	rec := decodeRecord(t, later[call])
	rec.Now = ptrTime(rec.Now.Add(time.Second))
	later[call] = encodeRecord(t, rec)
	rep := replay(later)
	if rep.Mismatch == nil || !strings.Contains(rep.Mismatch.Recorded, "SignVote") || !strings.Contains(rep.String(), "DIVERGED") {
		t.Fatalf("a vote signed a second later: %v", rep)
	}

	// An input dropped from the log, its actions left: they are not reproduced.
	vote := find(call, 1, `"node":1,"kind":"in","type":"Prevote"`)
	dropped := append(append([][]byte(nil), lines[:vote]...), lines[vote+1:]...)
	if rep := replay(dropped); rep.Mismatch == nil || rep.Mismatch.Replayed != "none" {
		t.Fatalf("an input dropped: %v", rep)
	}

	// A log without replay data, and a node not in the log.
	if _, err := Replay(strings.NewReader(`{"t_us":0,"node":0,"kind":"node","type":"Start","h":1,"r":0}`+"\n"), 0, nil); !errors.Is(err, ErrNoReplayData) {
		t.Fatalf("replay of a log without replay data: %v", err)
	}
	if _, err := Replay(bytes.NewReader(log), 42, nil); !errors.Is(err, ErrNoReplayData) {
		t.Fatalf("replay of a node not in the log: %v", err)
	}
}

func ptrTime(t time.Time) *time.Time { return &t }

func decodeRecord(t *testing.T, line []byte) Record {
	t.Helper()
	var r Record
	if err := json.Unmarshal(line, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func encodeRecord(t *testing.T, r Record) []byte {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzReplay feeds arbitrary logs to Replay: errors, never a panic.
func FuzzReplay(f *testing.F) {
	_, _, log := replayRun(f, "calm", 1, 4*time.Second)
	lines := bytes.Split(bytes.TrimSpace(log), []byte("\n"))
	f.Add(bytes.Join(lines[:min(len(lines), 40)], []byte("\n")), 0)
	f.Add([]byte(`{"node":0,"kind":"node","type":"Start","machine":{"config":{},"height":{"state":"AAAA"}}}`), 0)
	f.Add([]byte(`{"node":1,"kind":"in","type":"Vote","now":"2024-01-01T00:00:00Z","input":{"kind":"wal","wal":"CgA="}}`), 1)
	f.Fuzz(func(t *testing.T, log []byte, node int) {
		_, _ = Replay(bytes.NewReader(log), node%8, nil)
	})
}
