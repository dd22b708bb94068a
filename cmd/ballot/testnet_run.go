package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/ballot-bft/ballot/config"
)

// stopGrace is how long a node may take to stop after SIGTERM before it is killed.
const stopGrace = 15 * time.Second

func newTestnetRunCmd(e *env) *cobra.Command {
	opts := testnetOptions{}
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run a local test network: every node as a process, their logs here, Ctrl-C stops them",
		Long: `Run every node of a test network directory (written by 'ballot testnet --local') as a
'ballot start' process. Their RPC addresses are printed first, then their logs, each line prefixed
with the node's name; each node's log is also written to <dir>/<node>.log. Ctrl-C (or SIGTERM)
stops every node and waits for them to exit.

If the directory holds no network yet, one is written first as 'ballot testnet --local' would,
with --v validators.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			exe, err := os.Executable()
			if err != nil {
				return fmt.Errorf("finding the ballot executable: %w", err)
			}
			net := &localnet{dir: opts.OutputDir, exe: exe, out: e.stdout, grace: stopGrace}
			if err := net.prepare(opts, e.stdout); err != nil {
				return err
			}
			return net.run(ctx)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.OutputDir, "o", "./mytestnet", "directory of the test network")
	f.IntVar(&opts.Validators, "v", 4, "number of validators, if the network must be written first")
	f.IntVar(&opts.P2PPort, "p2p-port", 26656, "first P2P port, if the network must be written first")
	return cmd
}

// localnet runs the nodes of a test network directory as processes.
type localnet struct {
	dir   string
	exe   string   // the ballot executable
	env   []string // extra environment for the nodes
	out   io.Writer
	grace time.Duration
}

// localNode is one node directory of the network.
type localNode struct {
	name string
	home string
	cfg  *config.Config
}

// prepare writes a --local network into the directory unless it holds one already.
func (l *localnet) prepare(opts testnetOptions, out io.Writer) error {
	nodes, err := l.nodes()
	if err != nil || len(nodes) > 0 {
		return err
	}
	opts.Local, opts.NodeDirPrefix, opts.HostnamePrefix = true, "node", "node"
	opts.PopulatePeers, opts.LocalPortStride, opts.LocalBuiltinApp = true, 10, "persistent_kvstore"
	return writeTestnet(opts, out, time.Now)
}

// nodes lists the node directories (those with a config/config.toml), in numeric order.
func (l *localnet) nodes() ([]localNode, error) {
	entries, err := os.ReadDir(l.dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the test network directory: %w", err)
	}
	var nodes []localNode
	for _, entry := range entries {
		home := filepath.Join(l.dir, entry.Name())
		if !entry.IsDir() {
			continue
		}
		if _, err := os.Stat(config.ConfigFile(home)); err != nil {
			continue
		}
		cfg, _, err := config.LoadFromHome(home)
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, localNode{name: entry.Name(), home: home, cfg: cfg})
	}
	slices.SortFunc(nodes, func(a, b localNode) int {
		if c := len(a.name) - len(b.name); c != 0 { // node2 before node10
			return c
		}
		return strings.Compare(a.name, b.name)
	})
	return nodes, nil
}

// run starts every node, relays their logs until ctx is done, then stops them. It returns an
// error if a node could not start or exited on its own with a failure.
func (l *localnet) run(ctx context.Context) error {
	nodes, err := l.nodes()
	if err != nil {
		return err
	}
	if len(nodes) == 0 {
		return fmt.Errorf("%s holds no node directories (write them with 'ballot testnet --local')", l.dir)
	}
	out := &lockedWriter{w: l.out}
	width := 0
	for _, n := range nodes {
		width = max(width, len(n.name))
		fmt.Fprintf(out, "%-*s  rpc %s  p2p %s  home %s\n", width, n.name,
			httpAddr(n.cfg.RPC.ListenAddress), n.cfg.P2P.ListenAddress, n.home)
	}
	fmt.Fprintf(out, "%d nodes starting; logs follow (also in %s/<node>.log); Ctrl-C stops them all\n", len(nodes), l.dir)

	procs := make([]*localProc, 0, len(nodes))
	defer func() {
		for _, p := range procs {
			p.stop(l.grace)
		}
	}()
	exited := make(chan *localProc, len(nodes))
	for _, n := range nodes {
		p, err := l.start(n, fmt.Sprintf("%-*s | ", width, n.name), out, exited)
		if err != nil {
			return err
		}
		procs = append(procs, p)
	}

	var failures []error
	for running := len(procs); running > 0; {
		select {
		case <-ctx.Done():
			for _, p := range procs {
				p.stop(l.grace)
			}
			fmt.Fprintln(out, "every node stopped")
			return errors.Join(failures...)
		case p := <-exited:
			running--
			if p.err != nil {
				failures = append(failures, fmt.Errorf("%s: %w", p.name, p.err))
				fmt.Fprintf(out, "%s exited: %v (see %s)\n", p.name, p.err, p.logPath)
			} else {
				fmt.Fprintf(out, "%s exited\n", p.name)
			}
		}
	}
	return errors.Join(failures...)
}

// localProc is a running node process.
type localProc struct {
	name    string
	logPath string
	cmd     *exec.Cmd
	done    chan struct{} // closed when the process has exited and its output is relayed
	err     error         // the exit status, set before done is closed
}

// start runs `ballot start --home <home>` for n; its output goes to <dir>/<name>.log and, each
// line prefixed, to out. The process is sent on exited when it ends.
func (l *localnet) start(n localNode, prefix string, out io.Writer, exited chan<- *localProc) (*localProc, error) {
	logPath := filepath.Join(l.dir, n.name+".log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("%s: opening its log: %w", n.name, err)
	}
	cmd := exec.Command(l.exe, "start", "--home", n.home)
	cmd.Env = append(os.Environ(), l.env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // Ctrl-C reaches the runner only; it stops the nodes in order
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		logFile.Close()
		return nil, err
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("%s: starting %s: %w", n.name, l.exe, err)
	}
	p := &localProc{name: n.name, logPath: logPath, cmd: cmd, done: make(chan struct{})}
	go func() {
		scanner := bufio.NewScanner(pipe)
		scanner.Buffer(make([]byte, 64*1024), 1024*1024)
		for scanner.Scan() {
			line := scanner.Bytes()
			logFile.Write(append(line, '\n'))
			fmt.Fprintf(out, "%s%s\n", prefix, line)
		}
		p.err = cmd.Wait()
		logFile.Close()
		close(p.done)
		exited <- p
	}()
	return p, nil
}

// stop sends SIGTERM and waits for the process to exit, killing it after grace. Calling it
// again, or after the process exited, only waits.
func (p *localProc) stop(grace time.Duration) {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	timer := time.NewTimer(grace)
	defer timer.Stop()
	select {
	case <-p.done:
	case <-timer.C:
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// httpAddr turns an RPC listen address ("tcp://127.0.0.1:26657") into the URL clients use.
func httpAddr(laddr string) string {
	addr := laddr
	if _, rest, ok := strings.Cut(laddr, "://"); ok {
		addr = rest
	}
	if host, port, ok := strings.Cut(addr, ":"); ok && (host == "0.0.0.0" || host == "") {
		addr = "127.0.0.1:" + port
	}
	return "http://" + addr
}

// lockedWriter serializes writes from the nodes' relays.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.Write(p)
}
