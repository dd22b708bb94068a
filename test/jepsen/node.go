package jepsen

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Commit is one "committed block" line of a node's log: the node acknowledged Height with
// block Hash; AppHash is the application's hash after executing it. At is when the harness
// read the line (run time), Run the start of the node that logged it (1, 2, …).
type Commit struct {
	Height  int64
	Hash    string
	AppHash string
	At      time.Duration
	Run     int
}

// Exit is one end of a node's process.
type Exit struct {
	Run      int
	At       time.Duration
	Code     int    // -1 when killed by a signal
	Expected bool   // the harness stopped or killed it
	Tail     string // the last lines of its log when it was not expected
}

// NodeState is what a node's process is doing.
type NodeState int

// The states of a node's process.
const (
	Stopped NodeState = iota
	Running
	Paused
)

func (s NodeState) String() string {
	return [...]string{"stopped", "running", "paused"}[s]
}

// Node is one ballot process of a cluster and everything its logs showed across its runs.
// Its methods are safe for concurrent use, but the harness starts, stops, kills and pauses a
// node from one goroutine at a time (the nemesis).
type Node struct {
	Index     int
	Name      string // node0, node1, …
	Validator bool
	ID        string // p2p node ID
	Home      string
	RPCAddr   string // 127.0.0.1:port
	P2PAddr   string // 127.0.0.1:port, reached by the other nodes only through proxies
	RPC       *RPC

	bin     string
	logDir  string
	clock   *Clock
	changed func() // called after every commit and exit

	mu        sync.Mutex
	state     NodeState
	proc      *process
	runs      int
	commits   []Commit
	byHeight  map[int64]Commit
	resumes   []Resume // consensus start heights of the runs
	exits     []Exit
	conflicts []string // a height logged again with another block or app hash
}

// Resume is the height a run of the node started consensus at, against the highest height it
// had acknowledged before that run.
type Resume struct {
	Run           int
	StartHeight   int64 // the "starting consensus" height: the next height to decide
	AckedBefore   int64 // the highest height logged as committed by the earlier runs
	Lost          bool  // StartHeight <= AckedBefore: an acknowledged block was not kept
	At            time.Duration
	FirstCommitAt time.Duration // 0 until the run commits a block
}

// process is one run of the node.
type process struct {
	cmd      *exec.Cmd
	run      int
	expected bool          // the harness asked it to end
	done     chan struct{} // closed when it has exited and its output is copied
}

// State returns what the node's process is doing.
func (n *Node) State() NodeState {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.state
}

// Height returns the highest height the node logged as committed, in any run (0 if none).
func (n *Node) Height() int64 {
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.commits) == 0 {
		return 0
	}
	return n.lastHeightLocked()
}

func (n *Node) lastHeightLocked() int64 {
	var h int64
	for k := range n.byHeight {
		h = max(h, k)
	}
	return h
}

// Commits returns every committed block the node logged, in log order.
func (n *Node) Commits() []Commit {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.commits)
}

// Exits returns every end of the node's process so far.
func (n *Node) Exits() []Exit {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.exits)
}

// Resumes returns where every run of the node started consensus.
func (n *Node) Resumes() []Resume {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.resumes)
}

// Conflicts returns the heights the node logged twice with different blocks or app hashes.
func (n *Node) Conflicts() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.conflicts)
}

// ErrNodeState means a node was asked for a change its state doesn't allow (starting a
// running node, pausing a stopped one).
var ErrNodeState = errors.New("jepsen: node is not in a state for this")

// Start starts a new run of the node's process (`ballot start --home`), its output going to
// logs/<name>.runNN.log.
func (n *Node) Start() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.state != Stopped {
		return fmt.Errorf("starting %s: %w (%s)", n.Name, ErrNodeState, n.state)
	}
	n.runs++
	run := n.runs
	f, err := os.Create(filepath.Join(n.logDir, fmt.Sprintf("%s.run%03d.log", n.Name, run)))
	if err != nil {
		return fmt.Errorf("starting %s: %w", n.Name, err)
	}
	cmd := exec.Command(n.bin, "start", "--home", n.Home)
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "BALLOT_") })
	tail := &tailBuffer{max: 4 << 10}
	cmd.Stdout = io.MultiWriter(f, tail, &lineWriter{line: func(b []byte) { n.logLine(run, b) }})
	cmd.Stderr = io.MultiWriter(f, tail)
	if err := cmd.Start(); err != nil {
		f.Close()
		return fmt.Errorf("starting %s: %w", n.Name, err)
	}
	p := &process{cmd: cmd, run: run, done: make(chan struct{})}
	n.proc, n.state = p, Running
	go n.wait(p, f, tail)
	return nil
}

func (n *Node) wait(p *process, f *os.File, tail *tailBuffer) {
	err := p.cmd.Wait()
	f.Close()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		code = -1
	}
	n.mu.Lock()
	e := Exit{Run: p.run, At: n.clock.Now(), Code: code, Expected: p.expected}
	if !e.Expected {
		e.Tail = tail.String()
	}
	n.exits = append(n.exits, e)
	n.state, n.proc = Stopped, nil
	n.mu.Unlock()
	close(p.done)
	n.changed()
}

// signal sends sig to the running process and, if end, marks its exit as expected. It returns
// the process (nil if there was none).
func (n *Node) signal(sig syscall.Signal, end bool) *process {
	n.mu.Lock()
	defer n.mu.Unlock()
	p := n.proc
	if p == nil {
		return nil
	}
	if end {
		p.expected = true
	}
	_ = p.cmd.Process.Signal(sig)
	return p
}

// Kill kills the node's process with SIGKILL and waits for it to exit. A stopped node stays
// stopped.
func (n *Node) Kill() {
	if p := n.signal(syscall.SIGKILL, true); p != nil {
		<-p.done
	}
}

// Stop asks the node to stop with SIGTERM (resuming it if paused) and waits up to grace for it
// to exit before killing it. It reports whether the node stopped by itself.
func (n *Node) Stop(grace time.Duration) bool {
	p := n.signal(syscall.SIGTERM, true)
	if p == nil {
		return true
	}
	n.signal(syscall.SIGCONT, true)
	n.mu.Lock()
	n.state = Running
	n.mu.Unlock()
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-p.done:
		return true
	case <-t.C:
		n.Kill()
		return false
	}
}

// Pause stops the node's process with SIGSTOP; the process keeps its sockets open but answers
// nothing.
func (n *Node) Pause() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.state != Running {
		return fmt.Errorf("pausing %s: %w (%s)", n.Name, ErrNodeState, n.state)
	}
	if err := n.proc.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		return fmt.Errorf("pausing %s: %w", n.Name, err)
	}
	n.state = Paused
	return nil
}

// Resume continues a paused node with SIGCONT.
func (n *Node) Resume() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.state != Paused {
		return fmt.Errorf("resuming %s: %w (%s)", n.Name, ErrNodeState, n.state)
	}
	if err := n.proc.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		return fmt.Errorf("resuming %s: %w", n.Name, err)
	}
	n.state = Running
	return nil
}

// logLine holds the fields of a JSON log line the harness reads.
type logLine struct {
	Msg     string          `json:"msg"`
	Height  json.RawMessage `json:"height"`
	Hash    string          `json:"hash"`
	AppHash string          `json:"app_hash"`
}

// logLine reads one stdout line of run; lines that are not JSON are kept in the file only.
func (n *Node) logLine(run int, b []byte) {
	var l logLine
	if json.Unmarshal(b, &l) != nil || (l.Msg != "committed block" && l.Msg != "starting consensus") {
		return
	}
	h, err := strconv.ParseInt(strings.Trim(string(l.Height), `"`), 10, 64)
	if err != nil {
		return
	}
	now := n.clock.Now()
	n.mu.Lock()
	if l.Msg == "starting consensus" {
		before := int64(0)
		for _, c := range n.commits {
			before = max(before, c.Height)
		}
		n.resumes = append(n.resumes, Resume{Run: run, StartHeight: h, AckedBefore: before, Lost: h <= before, At: now})
		n.mu.Unlock()
		return
	}
	c := Commit{Height: h, Hash: l.Hash, AppHash: l.AppHash, At: now, Run: run}
	if old, ok := n.byHeight[h]; ok && (old.Hash != c.Hash || old.AppHash != c.AppHash) {
		n.conflicts = append(n.conflicts, fmt.Sprintf("%s height %d: run %d logged block %s app hash %s, run %d logged block %s app hash %s",
			n.Name, h, old.Run, old.Hash, old.AppHash, run, c.Hash, c.AppHash))
	}
	n.byHeight[h] = c
	n.commits = append(n.commits, c)
	if k := len(n.resumes) - 1; k >= 0 && n.resumes[k].Run == run && n.resumes[k].FirstCommitAt == 0 {
		n.resumes[k].FirstCommitAt = now
	}
	n.mu.Unlock()
	n.changed()
}

// lineWriter calls line for every complete line written to it. Write is called from one
// goroutine (the exec package's copier).
type lineWriter struct {
	partial []byte
	line    func([]byte)
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			break
		}
		w.line(w.partial[:i])
		w.partial = w.partial[i+1:]
	}
	if len(w.partial) > 1<<20 {
		w.partial = w.partial[:0] // a runaway line: not a log line the harness reads
	}
	return len(p), nil
}

// tailBuffer keeps the last max bytes written to it. Safe for concurrent use.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

// Clock gives run times: the time since the run began, from the monotonic clock.
type Clock struct{ start time.Time }

// NewClock starts a clock now.
func NewClock() *Clock { return &Clock{start: time.Now()} }

// Now is the time since the clock started.
func (c *Clock) Now() time.Duration { return time.Since(c.start) }

// Start is when the clock started (wall time, for reports).
func (c *Clock) Start() time.Time { return c.start }
