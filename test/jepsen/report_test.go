package jepsen

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
)

func sampleRun(t *testing.T) *Result {
	t.Helper()
	s := func(n float64) time.Duration { return time.Duration(n * float64(time.Second)) }
	ops := []Op{
		op(0, OpWrite, StatusOK, 100, 400, "a", "", "", false),
		op(1, OpRead, StatusOK, 500, 900, "", "", "a", false),
		op(0, OpCAS, StatusInfo, 1200, 9000, "b", "a", "", false),
		op(1, OpWrite, StatusFail, 3000, 3001, "c", "", "", false),
		{Kind: OpAdd, Key: "s0x1", Status: StatusOK, Call: s(4), Return: s(4.5)},
	}
	for i := range ops {
		ops[i].Index = i
	}
	events := []Event{
		{ID: 0, Kind: "kill", Nodes: []int{1}, Note: "kill -9 n1 <&>", Start: s(1), End: s(3), Recovery: s(0.5)},
		{ID: 1, Kind: "partition", Nodes: []int{0, 1}, Note: "partition {n0} | {n1}", Start: s(5), End: s(7)},
	}
	return &Result{
		Dir: t.TempDir(), Profile: "sample", Seed: 7, Duration: s(10), Ops: ops, Checked: ops, Timeline: events,
		Linearizability: CheckRegister(ops, time.Minute), BlackBox: porcupine.Ok,
		Set: CheckSet(ops, map[string]bool{"s0x1": true}),
	}
}

func TestPlotIsSVGWithEveryFaultShaded(t *testing.T) {
	r := sampleRun(t)
	svg := Plot(r.Ops, r.Timeline, r.Duration)
	dec := xml.NewDecoder(bytes.NewReader(svg))
	faults, paths := 0, 0
	for {
		tok, err := dec.Token()
		if err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("the plot is not well-formed XML: %v\n%s", err, svg)
			}
			break
		}
		if el, ok := tok.(xml.StartElement); ok {
			for _, a := range el.Attr {
				if a.Name.Local == "class" && a.Value == "fault" {
					faults++
				}
			}
			if el.Name.Local == "path" {
				paths++
			}
		}
	}
	if faults != len(r.Timeline) {
		t.Errorf("%d shaded faults, want %d", faults, len(r.Timeline))
	}
	if paths < 3 {
		t.Errorf("only %d paths: the throughput and latency lines are missing", paths)
	}
	if !bytes.Contains(svg, []byte("kill -9 n1 &lt;&amp;&gt;")) {
		t.Error("a fault's note is not escaped into its tooltip")
	}
}

func TestWriteReportKeepsEveryFile(t *testing.T) {
	r := sampleRun(t)
	if err := WriteReport(r); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"summary.txt", "summary.json", "history.jsonl", "history-checked.jsonl", "nemesis.jsonl", "linearizability.html", "plot.svg"} {
		if st, err := os.Stat(filepath.Join(r.Dir, name)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", name, err)
		}
	}
	f, err := os.Open(filepath.Join(r.Dir, "history.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	back, err := ReadOps(f)
	if err != nil || len(back) != len(r.Ops) || back[2] != r.Ops[2] {
		t.Fatalf("history round trip: %v, %d ops", err, len(back))
	}
	sum := r.Summary()
	for _, want := range []string{"PASSED", "faults injected: 2 (kill 1, partition 1)", "operations: 5 (ok 3, indeterminate 1, failed 1)", "acknowledged writes lost: 0; forks: 0", "worst 500ms"} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary lacks %q:\n%s", want, sum)
		}
	}
	r.Problems = []string{"something broke\nwith details"}
	if sum := r.Summary(); !strings.Contains(sum, "FAILED (1 problems)") || !strings.Contains(sum, "PROBLEM something broke …") {
		t.Errorf("failing summary:\n%s", sum)
	}
}

func TestNodeReadsItsLog(t *testing.T) {
	n := &Node{Name: "node7", clock: NewClock(), changed: func() {}, byHeight: map[int64]Commit{}}
	w := &lineWriter{line: func(b []byte) { n.logLine(1, b) }}
	log := `{"level":"info","msg":"starting consensus","height":1}
{"msg":"committed block","height":1,"hash":"AA","app_hash":"00"}
not json at all
{"msg":"committed block","height":"2","hash":"BB","app_hash":"01"}` + "\n"
	for _, piece := range []string{log[:10], log[10:77], log[77:]} { // lines arrive in pieces
		w.Write([]byte(piece))
	}
	w2 := &lineWriter{line: func(b []byte) { n.logLine(2, b) }}
	w2.Write([]byte(`{"msg":"starting consensus","height":2}` + "\n" + `{"msg":"committed block","height":2,"hash":"CC","app_hash":"01"}` + "\n"))
	if n.Height() != 2 || len(n.Commits()) != 3 {
		t.Fatalf("height %d, commits %+v", n.Height(), n.Commits())
	}
	rs := n.Resumes()
	if len(rs) != 2 || rs[0].Lost || !rs[1].Lost || rs[1].AckedBefore != 2 || rs[1].StartHeight != 2 {
		t.Fatalf("resumes %+v: the second run restarting at height 2 after acknowledging 2 lost a block", rs)
	}
	if cf := n.Conflicts(); len(cf) != 1 || !strings.Contains(cf[0], "height 2") {
		t.Fatalf("conflicts %q, want height 2 logged with BB then CC", cf)
	}
}
