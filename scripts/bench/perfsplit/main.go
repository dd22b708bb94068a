package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// category is a kind of work, recognised by substrings of frame names (ballot's and CometBFT's).
type category struct {
	name     string
	patterns []string
}

var categories = []category{
	{"leveldb compaction (background)", []string{"leveldb.(*DB).compactionTransact", "leveldb.(*DB).tCompaction", "leveldb.(*DB).mCompaction", "leveldb.(*DB).memCompaction"}},
	{"tx and block indexer", []string{"state/indexer.(*Service)", "txindex.(*IndexerService)"}},
	{"consensus: commit (save block, FinalizeBlock, save responses and state, mempool update)", []string{"consensus.(*Driver).commit", "consensus.(*State).finalizeCommit"}},
	{"consensus: sign own votes and proposal (privval state and WAL fsyncs)", []string{"consensus.(*Driver).signVote", "consensus.(*Driver).signProposal", "consensus.(*Driver).writeOwn", "consensus.(*State).signVote", "consensus.(*State).signAddVote"}},
	{"consensus: build proposal", []string{"consensus.(*Driver).buildProposal", "consensus.(*State).createProposalBlock"}},
	{"mempool reactor (CheckTx of gossiped txs, tx gossip)", []string{"mempool/reactor.", "mempool.(*Reactor)"}},
	{"consensus: other state machine work (WAL writes, votes, parts)", []string{"consensus.(*Driver)", "consensus.(*State)"}},
	{"consensus reactor (gossip)", []string{"consensus/reactor.", "consensus.(*Reactor)"}},
	{"p2p: receive (decrypt, reassemble)", []string{"conn.(*MConnection).recvRoutine"}},
	{"p2p: send (encrypt, write)", []string{"conn.(*MConnection).sendRoutine", "conn.(*MConnection).sendSomePacketMsgs"}},
	{"RPC: websocket events (JSON encoding of subscribed events)", []string{"server.ForwardEvents", "server.forwardEvents", "wsConn", "wsConnection", "gorilla/websocket", "core.(*Environment).Subscribe"}},
	{"RPC: HTTP requests (broadcast_tx_* batches)", []string{"net/http.(*conn).serve"}},
	{"mempool (CheckTx, recheck, update)", []string{"ballot/mempool.", "cometbft/mempool."}},
	{"event bus", []string{"pubsub.", "EventBus"}},
	{"Go GC", []string{"runtime.gcBgMarkWorker", "runtime.bgsweep", "runtime.bgscavenge"}},
	{"Go runtime sysmon", []string{"runtime.sysmon"}},
	{"Go scheduler (idle, switches)", []string{"runtime.mcall", "runtime.schedule", "runtime.findRunnable", "runtime.park_m", "runtime.mstart"}},
	{"secret connection crypto (other callers)", []string{"chacha20poly1305"}},
}

// allocators are the frames of the Go allocator; the first frame above them is the caller.
var allocators = []string{"runtime.mallocgc", "runtime.growslice", "runtime.newobject", "runtime.makeslice", "runtime.makemap"}

type result struct {
	total      int
	byCategory map[string]int
	byPID      map[string]int
	allocs     int
	allocBy    map[string]int
}

func main() {
	summary := flag.String("summary", "", "ballot-load JSON summary of the run, to express shares as µs per committed tx")
	flag.Parse()
	r, err := split(bufio.NewReaderSize(os.Stdin, 1<<20))
	if err != nil {
		fmt.Fprintln(os.Stderr, "perfsplit:", err)
		os.Exit(1)
	}
	perTx := 0.0
	if *summary != "" {
		if perTx, err = cpuPerTx(*summary); err != nil {
			fmt.Fprintln(os.Stderr, "perfsplit:", err)
			os.Exit(1)
		}
	}
	report(os.Stdout, r, perTx)
}

// cpuPerTx reads the nodes' CPU µs per committed transaction from a ballot-load summary.
func cpuPerTx(path string) (float64, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	var s struct {
		Resources *struct {
			PerTx float64 `json:"cpu_per_committed_tx_us"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	if s.Resources == nil {
		return 0, fmt.Errorf("%s: no resources (run ballot-load with --proc)", path)
	}
	return s.Resources.PerTx, nil
}

// split reads perf script output: a header line per sample ("comm pid"), then one indented
// frame per line, leaf first, then a blank line.
func split(in *bufio.Reader) (*result, error) {
	r := &result{byCategory: map[string]int{}, byPID: map[string]int{}, allocBy: map[string]int{}}
	var pid string
	var stack []string
	flush := func() {
		if len(stack) > 0 {
			r.add(pid, stack)
		}
		stack = stack[:0]
	}
	for {
		line, err := in.ReadString('\n')
		if len(line) > 0 {
			switch {
			case strings.TrimSpace(line) == "":
				flush()
			case line[0] != ' ' && line[0] != '\t':
				flush()
				if f := strings.Fields(line); len(f) >= 2 {
					pid = f[1]
				}
			default:
				if f := strings.Fields(line); len(f) >= 2 {
					stack = append(stack, strings.Join(f[1:], " "))
				}
			}
		}
		if err == io.EOF {
			flush()
			return r, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

func (r *result) add(pid string, stack []string) {
	r.total++
	r.byPID[pid]++
	r.byCategory[classify(stack)]++
	for i := len(stack) - 1; i >= 0; i-- { // the outermost allocator frame
		if !hasPrefix(stack[i], allocators) {
			continue
		}
		r.allocs++
		for j := i + 1; j < len(stack); j++ {
			if !strings.HasPrefix(stack[j], "runtime.") && !strings.HasPrefix(stack[j], "internal/runtime") {
				r.allocBy[stack[j]]++
				break
			}
		}
		break
	}
}

func classify(stack []string) string {
	for _, c := range categories {
		for _, frame := range stack {
			for _, p := range c.patterns {
				if strings.Contains(frame, p) {
					return c.name
				}
			}
		}
	}
	if len(stack) > 1 {
		return "other: " + stack[len(stack)-2]
	}
	return "other"
}

func hasPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

type count struct {
	name string
	n    int
}

func sorted(m map[string]int) []count {
	out := make([]count, 0, len(m))
	for k, v := range m {
		out = append(out, count{k, v})
	}
	slices.SortFunc(out, func(a, b count) int {
		if a.n != b.n {
			return b.n - a.n
		}
		return strings.Compare(a.name, b.name)
	})
	return out
}

func report(w io.Writer, r *result, perTx float64) {
	if r.total == 0 {
		fmt.Fprintln(w, "no samples")
		return
	}
	pct := func(n int) float64 { return 100 * float64(n) / float64(r.total) }
	fmt.Fprintf(w, "%d samples", r.total)
	if perTx > 0 {
		fmt.Fprintf(w, "; the nodes spent %.0f µs of CPU per committed tx (all nodes)", perTx)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "\nwhere the nodes' CPU went:")
	other := 0
	for _, c := range sorted(r.byCategory) {
		if strings.HasPrefix(c.name, "other") && pct(c.n) < 0.5 {
			other += c.n
			continue
		}
		line := fmt.Sprintf("  %6.2f%%", pct(c.n))
		if perTx > 0 {
			line += fmt.Sprintf("  %7.1f µs/tx", perTx*float64(c.n)/float64(r.total))
		}
		fmt.Fprintf(w, "%s  %s\n", line, c.name)
	}
	if other > 0 {
		fmt.Fprintf(w, "  %6.2f%%  other (each < 0.5%%)\n", pct(other))
	}
	fmt.Fprintln(w, "\nsamples per process:")
	for _, c := range sorted(r.byPID) {
		fmt.Fprintf(w, "  %6.2f%%  pid %s\n", pct(c.n), c.name)
	}
	fmt.Fprintf(w, "\nin the Go allocator: %.2f%% of all samples; its callers:\n", pct(r.allocs))
	for i, c := range sorted(r.allocBy) {
		if i == 20 {
			break
		}
		fmt.Fprintf(w, "  %6.2f%%  %s\n", pct(c.n), c.name)
	}
}
