package crash

import (
	"os"
	"path/filepath"
	"testing"
)

// TestLogWatcherReadsLinesInPieces feeds log output split at arbitrary points, as a pipe may
// deliver it, and checks the committed heights, the repair notice and the progress signal.
func TestLogWatcherReadsLinesInPieces(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "run.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := &logWatcher{file: f, progress: make(chan struct{}, 1), commit: make(chan struct{})}
	firstCommit := w.nextCommit()
	out := `{"level":"info","msg":"repaired the consensus WAL","records_kept":56}
not json: a panic trace, say
{"app_hash":"0000000000000000","hash":"30DB44","height":1,"msg":"committed block","txs":0}
{"app_hash":"0100000000000000","hash":"A2C79D","height":"2","msg":"committed block","txs":1}
{"msg":"committed block","height":"x"}
{"app_hash":"01","hash":"FF","height":3,"msg":"starting consensus"}
`
	for i := 0; i < len(out); i += 7 {
		if _, err := w.Write([]byte(out[i:min(i+7, len(out))])); err != nil {
			t.Fatal(err)
		}
	}
	want := []Committed{{1, "30DB44", "0000000000000000"}, {2, "A2C79D", "0100000000000000"}}
	if len(w.committed) != len(want) || w.committed[0] != want[0] || w.committed[1] != want[1] {
		t.Errorf("committed = %+v, want %+v", w.committed, want)
	}
	if !w.repaired {
		t.Error("the repair line was not noticed")
	}
	if w.lastHeight() != 2 {
		t.Errorf("lastHeight = %d, want 2", w.lastHeight())
	}
	select {
	case <-w.progress:
	default:
		t.Error("no progress signal after committed lines")
	}
	select {
	case <-firstCommit:
	default:
		t.Error("the channel of the next commit was not closed by a committed line")
	}
	select {
	case <-w.nextCommit():
		t.Error("the channel of the commit after the last one is already closed")
	default:
	}
	b, err := os.ReadFile(f.Name())
	if err != nil || string(b) != out {
		t.Errorf("the log file holds %q, want everything written", b)
	}
}
