package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"testing"
	"time"
)

// testdata/events.jsonl: what one validator of a 4-validator ballot network (timeout_commit
// 200ms, no transactions) sent for heights 14 to 16, as written by --raw.
func TestRecorderOnRecordedEvents(t *testing.T) {
	f, err := os.Open("testdata/events.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	powers := map[string]int64{}
	rec := newRecorder(powers, 4)
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var line struct {
			At    time.Time       `json:"at"`
			Event json.RawMessage `json:"event"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatal(err)
		}
		// Every validator has power 1: learn the addresses from the votes.
		var v struct {
			Data struct {
				Value struct {
					Vote *struct {
						Address string `json:"validator_address"`
					} `json:"Vote"`
				} `json:"value"`
			} `json:"data"`
		}
		if err := json.Unmarshal(line.Event, &v); err != nil {
			t.Fatal(err)
		}
		if v.Data.Value.Vote != nil {
			powers[v.Data.Value.Vote.Address] = 1
		}
		if err := rec.add(line.At, line.Event); err != nil {
			t.Fatal(err)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(powers) != 4 {
		t.Fatalf("%d validators voted, want 4", len(powers))
	}
	hs := rec.complete()
	if len(hs) != 3 || hs[0].Height != 14 || hs[2].Height != 16 {
		t.Fatalf("complete heights %v, want 14..16", heightsOf(hs))
	}
	for _, h := range hs {
		if h.Rounds != 1 || h.Txs != 0 || h.ProposerIndex < 0 {
			t.Errorf("height %d: rounds %d, txs %d, proposer %d", h.Height, h.Rounds, h.Txs, h.ProposerIndex)
		}
		var sum float64
		for b := range nBoundaries {
			if h.At[b] < 0 {
				t.Errorf("height %d: boundary %d (%s) not seen", h.Height, b, phaseNames[b])
			}
			sum += h.Phases[phaseNames[b]]
		}
		if math.Abs(sum-h.Total) > 0.01 || h.Total <= 0 {
			t.Errorf("height %d: phases add up to %.3f ms, total %.3f ms", h.Height, sum, h.Total)
		}
		// timeout_commit was 200ms: the wait dominates an empty height.
		if w := h.Phases["wait"]; w < 150 || w > h.Total {
			t.Errorf("height %d: wait %.1f ms of %.1f", h.Height, w, h.Total)
		}
	}
	s := summarize(hs)
	if s.Round0 != 3 || len(s.Phases) != nBoundaries-1 || len(s.Buckets) != 1 || s.Buckets[0].Heights != 3 {
		t.Errorf("summary %+v", s)
	}
}

// synthetic builds event messages as a node sends them.
type synthetic struct {
	t0  time.Time
	rec *recorder
	t   *testing.T
}

func (s synthetic) send(ms int, kind string, value string) {
	s.t.Helper()
	raw := fmt.Sprintf(`{"query":"tm.event = '%s'","data":{"type":"x","value":%s},"events":{"tm.event":["%s"]}}`, kind, value, kind)
	if err := s.rec.add(s.t0.Add(time.Duration(ms)*time.Millisecond), json.RawMessage(raw)); err != nil {
		s.t.Fatal(err)
	}
}

func (s synthetic) step(ms int, h int64, round int32, step string) {
	s.send(ms, "NewRoundStep", fmt.Sprintf(`{"height":"%d","round":%d,"step":"%s"}`, h, round, step))
}

func (s synthetic) vote(ms int, typ int, h int64, round int32, block, addr string) {
	s.send(ms, "Vote", fmt.Sprintf(`{"Vote":{"type":%d,"height":"%d","round":%d,"block_id":{"hash":"%s"},"validator_address":"%s"}}`,
		typ, h, round, block, addr))
}

// Unequal powers: +2/3 needs A and B (power 3 and 2 of 6), not C and D. A boundary seen
// out of order (the precommit step before this node saw +2/3 prevotes) counts as reached
// with the previous one, so the phases still add up.
func TestRecorderQuorumAndOrder(t *testing.T) {
	powers := map[string]int64{"A": 3, "B": 2, "C": 1}
	s := synthetic{t0: time.Unix(1000, 0), rec: newRecorder(powers, 6), t: t}
	s.step(0, 5, 0, "RoundStepNewHeight")
	s.send(1, "NewRound", `{"height":"5","round":0,"step":"RoundStepNewRound","proposer":{"index":2}}`)
	s.step(2, 5, 0, "RoundStepPropose")
	s.send(10, "CompleteProposal", `{"height":"5","round":0,"step":"RoundStepPropose"}`)
	s.step(12, 5, 0, "RoundStepPrevote")
	s.vote(13, 1, 5, 0, "BB", "C")
	s.vote(14, 1, 5, 0, "BB", "B")
	s.vote(15, 1, 5, 0, "BB", "B") // duplicate: ignored
	s.step(16, 5, 0, "RoundStepPrecommit")
	s.vote(18, 1, 5, 0, "BB", "A") // 6 of 6 from here; 5 of 6 would be +2/3 too
	s.vote(20, 2, 5, 0, "BB", "A")
	s.vote(25, 2, 5, 0, "BB", "B")
	s.step(26, 5, 0, "RoundStepCommit")
	s.send(27, "NewBlockEvents", `{"height":"5","num_txs":"42"}`)
	s.step(40, 6, 0, "RoundStepNewHeight")
	hs := s.rec.complete()
	if len(hs) != 1 {
		t.Fatalf("complete heights %v, want [5]", heightsOf(hs))
	}
	h := hs[0]
	want := map[string]float64{"wait": 2, "proposal": 8, "prevote": 2, "prevotes": 6, "precommit": 0,
		"precommits": 7, "commit": 1, "apply": 14}
	for k, v := range want {
		if h.Phases[k] != v {
			t.Errorf("phase %s = %v ms, want %v (all: %v)", k, h.Phases[k], v, h.Phases)
		}
	}
	if h.Total != 40 || h.Txs != 42 || h.ProposerIndex != 2 || h.Rounds != 1 {
		t.Errorf("total %v txs %d proposer %d rounds %d", h.Total, h.Txs, h.ProposerIndex, h.Rounds)
	}
}

func TestSummaryFitsPerTxGrowth(t *testing.T) {
	var hs []*height
	for i, txs := range []int64{0, 100, 1000, 2000} {
		apply := 5 + 0.02*float64(txs) // 20 µs per tx
		hs = append(hs, &height{Height: int64(i + 1), Rounds: 1, Txs: txs, Total: 10 + apply,
			Phases: map[string]float64{"wait": 10, "apply": apply}})
	}
	hs = append(hs, &height{Height: 9, Rounds: 2, Total: 3000, Phases: map[string]float64{}})
	s := summarize(hs)
	if s.Round0 != 4 || s.MoreRounds != 1 || s.MoreRoundsMeanMS != 3000 {
		t.Fatalf("summary %+v", s)
	}
	for _, p := range s.Phases {
		switch p.Name {
		case "apply":
			if math.Abs(p.PerTxUS-20) > 1e-6 || math.Abs(p.FixedMS-5) > 1e-6 {
				t.Errorf("apply fit %.3f ms + %.3f µs/tx, want 5 + 20", p.FixedMS, p.PerTxUS)
			}
		case "wait":
			if p.PerTxUS != 0 || p.Mean != 10 {
				t.Errorf("wait %+v", p)
			}
		}
	}
	if len(s.Buckets) != 3 || s.Buckets[2].Heights != 2 || s.Buckets[2].TxsMean != 1500 {
		t.Errorf("buckets %+v", s.Buckets)
	}
}

func heightsOf(hs []*height) []int64 {
	var out []int64
	for _, h := range hs {
		out = append(out, h.Height)
	}
	return out
}
