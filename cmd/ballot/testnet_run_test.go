package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestMain lets the test binary stand in for the ballot executable: the network runner starts
// it with BALLOT_TEST_MAIN=1 and it then behaves as `ballot`.
func TestMain(m *testing.M) {
	if os.Getenv("BALLOT_TEST_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// watchWriter keeps what is written and closes reached once every node has logged a commit of
// the height it waits for.
type watchWriter struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	nodes   map[string]bool
	height  int
	reached chan struct{}
}

var committedLine = regexp.MustCompile(`^(node\d+)\s*\| .*msg="committed block" height=(\d+) `)

func (w *watchWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	for _, line := range strings.Split(string(p), "\n") {
		m := committedLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		var h int
		fmt.Sscan(m[2], &h)
		if h >= w.height {
			w.nodes[m[1]] = true
		}
	}
	if len(w.nodes) == 2 && w.reached != nil {
		close(w.reached)
		w.reached = nil
	}
	return len(p), nil
}

func (w *watchWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// `ballot testnet run` writes a network when the directory is empty, runs every node as a
// process (they make blocks together), relays their logs with the node's name, and stops them
// all cleanly when asked.
func TestTestnetRunStartsAndStopsEveryNode(t *testing.T) {
	if testing.Short() {
		t.Skip("runs two node processes")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	reached := make(chan struct{})
	out := &watchWriter{nodes: map[string]bool{}, height: 3, reached: reached}
	net := &localnet{dir: dir, exe: exe, env: []string{"BALLOT_TEST_MAIN=1"}, out: out, grace: 30 * time.Second}
	port := 20000 + os.Getpid()%90*10 // two nodes take ports port..port+14, below the ephemeral range
	if err := net.prepare(testnetOptions{OutputDir: dir, Validators: 2, P2PPort: port}, out); err != nil {
		t.Fatal(err)
	}

	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- net.run(ctx) }()
	bound := time.NewTimer(2 * time.Minute) // a bound on a real network, not a wait
	defer bound.Stop()
	select {
	case <-reached:
	case err := <-done:
		t.Fatalf("the runner returned early: %v\n%s", err, out)
	case <-bound.C:
		stop()
		<-done
		t.Fatalf("the nodes did not both commit height 3\n%s", out)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	log := out.String()
	for _, want := range []string{"node0  rpc http://127.0.0.1:", "node1 | ", "every node stopped"} {
		if !strings.Contains(log, want) {
			t.Errorf("output lacks %q:\n%s", want, log)
		}
	}
	for _, node := range []string{"node0", "node1"} {
		if !regexp.MustCompile(node + ` \| .*msg=stopped`).MatchString(log) {
			t.Errorf("%s did not stop cleanly:\n%s", node, log)
		}
		if b, err := os.ReadFile(dir + "/" + node + ".log"); err != nil || !bytes.Contains(b, []byte(`msg="committed block"`)) {
			t.Errorf("%s.log lacks the node's log (%v)", node, err)
		}
	}
}
