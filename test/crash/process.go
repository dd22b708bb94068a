package crash

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/ballot-bft/ballot/libs/fail"
)

// Committed is one "committed block" line of a node's log: the node acknowledged height Height
// with block Hash, and AppHash is the application's hash after executing it.
type Committed struct {
	Height  int64
	Hash    string // upper-case hex, as logged
	AppHash string // upper-case hex, as logged
}

// Run is what one start of the node did, as seen from outside the process.
type Run struct {
	Spec       string // BALLOT_FAIL_POINT of the run, "" for a clean run
	ExitCode   int
	CrashLine  string      // the crash point's line on stderr, if it crashed there
	Committed  []Committed // acknowledged heights, in log order
	Repaired   bool        // the node repaired a damaged WAL on start
	Acked      []AckedTx   // transactions acknowledged as committed during the run
	TxAnswered int         // broadcast_tx_commit requests the RPC answered during the run
	TxErrors   int         // requests without an answer (no RPC, or cut off by the crash or stop)
	LogFile    string      // stdout and stderr of the run

	// Durable is the block store's height after the run, filled in by RunScenario.
	Durable int64
}

// Crashed reports whether the run ended at its armed crash point.
func (r Run) Crashed() bool { return r.ExitCode == fail.ExitCode && r.CrashLine != "" }

// LastHeight is the highest acknowledged height, 0 if none.
func (r Run) LastHeight() int64 {
	var h int64
	for _, c := range r.Committed {
		h = max(h, c.Height)
	}
	return h
}

// logWatcher receives a node's stdout (JSON log lines, one per write) and keeps what the
// harness needs. Write is called from the exec package's copying goroutine.
type logWatcher struct {
	file *os.File // everything, for the report

	mu        sync.Mutex
	partial   []byte
	committed []Committed
	repaired  bool
	progress  chan struct{} // signalled (without blocking) after every committed line
	commit    chan struct{} // closed at the next committed line, then replaced
}

// nextCommit returns a channel closed when the node logs its next committed block.
func (w *logWatcher) nextCommit() <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.commit
}

func (w *logWatcher) Write(p []byte) (int, error) {
	if _, err := w.file.Write(p); err != nil {
		return 0, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			break
		}
		w.line(w.partial[:i])
		w.partial = w.partial[i+1:]
	}
	return len(p), nil
}

// logLine holds the fields of a JSON log line the harness reads.
type logLine struct {
	Msg     string          `json:"msg"`
	Height  json.RawMessage `json:"height"`
	Hash    string          `json:"hash"`
	AppHash string          `json:"app_hash"`
}

func (w *logWatcher) line(b []byte) {
	var l logLine
	if json.Unmarshal(b, &l) != nil {
		return // not a log line (a panic trace, say): kept in the file only
	}
	switch l.Msg {
	case "committed block":
		h, err := strconv.ParseInt(strings.Trim(string(l.Height), `"`), 10, 64)
		if err != nil {
			return
		}
		w.committed = append(w.committed, Committed{Height: h, Hash: l.Hash, AppHash: l.AppHash})
		select {
		case w.progress <- struct{}{}:
		default:
		}
		close(w.commit)
		w.commit = make(chan struct{})
	case "repaired the consensus WAL":
		w.repaired = true
	}
}

func (w *logWatcher) lastHeight() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.committed) == 0 {
		return 0
	}
	return w.committed[len(w.committed)-1].Height
}

// start runs `ballot start` on the home with the fail spec (none if ""), logging to logFile.
// The caller waits on done, which yields the exit error once the output is copied.
func (h *Home) start(spec, logFile string) (*exec.Cmd, *logWatcher, *bytes.Buffer, <-chan error, error) {
	f, err := os.Create(logFile)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	w := &logWatcher{file: f, progress: make(chan struct{}, 1), commit: make(chan struct{})}
	stderr := &bytes.Buffer{} // read only after done
	cmd := exec.Command(h.bin, "start", "--home", h.Dir, "--proxy_app", "persistent_kvstore")
	cmd.Env = h.env(spec)
	cmd.Stdout = w
	cmd.Stderr = io.MultiWriter(f, stderr)
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, nil, nil, nil, fmt.Errorf("starting %s: %w", h.bin, err)
	}
	done := make(chan error, 1)
	go func() {
		err := cmd.Wait()
		f.Close()
		done <- err
	}()
	return cmd, w, stderr, done, nil
}

// RunUntilCrash starts the node with BALLOT_FAIL_POINT=spec and waits for it to exit. It is an
// error if the node exits in any other way than at the crash point, or is still running when
// ctx is done (it is then killed).
func (h *Home) RunUntilCrash(ctx context.Context, spec string) (Run, error) {
	run := Run{Spec: spec, LogFile: h.nextLogFile()}
	cmd, w, stderr, done, err := h.start(spec, run.LogFile)
	if err != nil {
		return run, err
	}
	stopLoad := h.startLoad(ctx, w)
	var exitErr error
	select {
	case exitErr = <-done:
		stopLoad()
	case <-ctx.Done():
		_ = cmd.Process.Kill()
		stopLoad()
		return h.finish(run, w, stderr, <-done), fmt.Errorf("crash point %s was not reached before the deadline (%w); log %s", spec, ctx.Err(), run.LogFile)
	}
	run = h.finish(run, w, stderr, exitErr)
	if !run.Crashed() {
		return run, fmt.Errorf("with %s=%s the node exited with code %d instead of crashing there (exit %v); log %s",
			fail.EnvVar, spec, run.ExitCode, exitErr, run.LogFile)
	}
	return run, nil
}

// TxHeights bounds how many heights past its target a run with a transaction load goes on
// waiting for its first acknowledged transaction.
const TxHeights = 30

// RunUntilHeight starts the node without a crash point, waits until it logs a committed block
// of at least height — and, when the home submits transactions, until the RPC acknowledged one
// of this run's transactions as committed, so that every resumed run leaves a transaction for
// the next crash to lose — then stops it with SIGTERM and waits for a clean exit. It is an
// error if the node exits by itself, exits uncleanly after the signal, commits TxHeights heights
// past height without acknowledging a transaction, or doesn't get there before ctx is done (it
// is then killed).
func (h *Home) RunUntilHeight(ctx context.Context, height int64) (Run, error) {
	run := Run{LogFile: h.nextLogFile()}
	cmd, w, stderr, done, err := h.start("", run.LogFile)
	if err != nil {
		return run, err
	}
	stopLoad := h.startLoad(ctx, w)
	defer stopLoad()
	var acks <-chan struct{}
	needAck := func() bool { return false }
	if h.load != nil {
		acks = h.load.acks()
		before := h.load.ackCount()
		needAck = func() bool { return h.load.ackCount() == before }
	}
	for w.lastHeight() < height || needAck() {
		if last := w.lastHeight(); last >= height+TxHeights {
			_ = cmd.Process.Kill()
			run = h.finish(run, w, stderr, <-done)
			return run, fmt.Errorf("the RPC acknowledged none of this run's transactions by height %d (%d heights past %d); log %s",
				last, last-height, height, run.LogFile)
		}
		select {
		case <-acks:
		case <-w.progress:
		case exitErr := <-done:
			run = h.finish(run, w, stderr, exitErr)
			return run, fmt.Errorf("the node exited (code %d, %v) at height %d before reaching height %d; log %s",
				run.ExitCode, exitErr, run.LastHeight(), height, run.LogFile)
		case <-ctx.Done():
			_ = cmd.Process.Kill()
			run = h.finish(run, w, stderr, <-done)
			return run, fmt.Errorf("the node got to height %d, not %d, before the deadline (%w); log %s",
				run.LastHeight(), height, ctx.Err(), run.LogFile)
		}
	}
	stopLoad() // what is in flight is cut off and counts as not acknowledged
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return run, fmt.Errorf("stopping the node: %w", err)
	}
	select {
	case exitErr := <-done:
		run = h.finish(run, w, stderr, exitErr)
		if exitErr != nil {
			return run, fmt.Errorf("the node did not stop cleanly on SIGTERM: %v; log %s", exitErr, run.LogFile)
		}
	case <-ctx.Done():
		_ = cmd.Process.Kill()
		run = h.finish(run, w, stderr, <-done)
		return run, fmt.Errorf("the node did not stop within the deadline after SIGTERM (%w); log %s", ctx.Err(), run.LogFile)
	}
	return run, nil
}

// finish fills run from the finished process.
func (h *Home) finish(run Run, w *logWatcher, stderr *bytes.Buffer, exitErr error) Run {
	var ee *exec.ExitError
	switch {
	case exitErr == nil:
		run.ExitCode = 0
	case errors.As(exitErr, &ee):
		run.ExitCode = ee.ExitCode() // -1 when killed by a signal
	default:
		run.ExitCode = -1
	}
	for line := range strings.SplitSeq(stderr.String(), "\n") {
		if strings.HasPrefix(line, "fail: crash point ") {
			run.CrashLine = line
		}
	}
	if h.load != nil {
		acked, answered, failed := h.load.take()
		run.Acked, run.TxAnswered, run.TxErrors = acked, answered-h.txCounts[0], failed-h.txCounts[1]
		h.txCounts = [2]int{answered, failed}
	}
	w.mu.Lock()
	run.Committed = append([]Committed(nil), w.committed...)
	run.Repaired = w.repaired
	w.mu.Unlock()
	return run
}

// startLoad runs the home's transaction load, if any, until the returned stop is called (or
// ctx is done); stop waits for the load's workers and may be called more than once.
func (h *Home) startLoad(ctx context.Context, w *logWatcher) (stop func()) {
	if h.load == nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.load.run(ctx, w)
	}()
	return func() {
		cancel()
		<-done
	}
}

func (h *Home) nextLogFile() string {
	h.runs++
	return filepath.Join(h.LogDir, fmt.Sprintf("run%02d.log", h.runs))
}
