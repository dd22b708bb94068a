package crash

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/ballot-bft/ballot/libs/fail"
)

// Build compiles the ballot binary of the module in moduleDir to out (go build -o out
// ./cmd/ballot) and returns out.
func Build(ctx context.Context, moduleDir, out string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "./cmd/ballot")
	cmd.Dir = moduleDir
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/ballot: %w\n%s", err, b)
	}
	return out, nil
}

// ModuleDir returns the root directory of the ballot module the current directory belongs to.
func ModuleDir(ctx context.Context) (string, error) {
	b, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(b))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("not inside a Go module: run from the ballot repository")
	}
	return filepath.Dir(gomod), nil
}

// Home is one validator's home directory (a one-validator chain) and the logs of the runs of
// its node. A Home belongs to one goroutine.
type Home struct {
	Dir    string // --home
	LogDir string // run01.log, run02.log, …
	bin    string
	ports  [2]string // rpc.laddr and p2p.laddr, unique per home so homes can run side by side
	runs   int

	load     *txLoad // nil: no transactions
	txCounts [2]int  // the load's answered and failed requests counted into earlier runs
	settings Settings
}

// Set makes every later run of the node use these config keys, as environment overrides that
// win over the harness's chain settings.
func (h *Home) Set(settings Settings) { h.settings = settings }

// SubmitTxs makes every later run of the node submit unique kvstore transactions
// ("<prefix>-<n>=v<n>") from workers concurrent broadcast_tx_commit requests to its RPC.
func (h *Home) SubmitTxs(prefix string, workers int) {
	h.load = newTxLoad(h.ports[0], prefix, workers)
}

// NewHome creates a fresh home in dir (which must not exist yet or be empty) with `ballot init`.
func NewHome(ctx context.Context, bin, dir string) (*Home, error) {
	h := &Home{Dir: filepath.Join(dir, "home"), LogDir: dir, bin: bin}
	for i := range h.ports {
		addr, err := freeAddr()
		if err != nil {
			return nil, err
		}
		h.ports[i] = "tcp://" + addr
	}
	cmd := exec.CommandContext(ctx, bin, "init", "--home", h.Dir)
	cmd.Env = h.env("")
	if b, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("ballot init --home %s: %w\n%s", h.Dir, err, b)
	}
	return h, nil
}

// freeAddr returns a loopback address with a port that was free a moment ago. The port is below
// Linux's ephemeral range (32768-60999), where no connection of a test running in parallel can
// take it while the node is down between runs, and below test/e2e's and test/jepsen's ranges.
func freeAddr() (string, error) {
	rng := rand.New(rand.NewPCG(uint64(os.Getpid()), uint64(time.Now().UnixNano())))
	for range 100 {
		addr := fmt.Sprintf("127.0.0.1:%d", 10000+rng.IntN(11000))
		l, err := net.Listen("tcp", addr)
		if err != nil {
			continue
		}
		l.Close()
		return addr, nil
	}
	return "", errors.New("finding a free port: 100 tries in 10000-20999 failed")
}

// Timeouts of the test chain: a block every few tens of milliseconds, and a round that lost its
// proposal (the signer refusing to sign a different block again after a crash) is over quickly.
var chainSettings = map[string]string{
	"CONSENSUS_TIMEOUT_PROPOSE":         "100ms",
	"CONSENSUS_TIMEOUT_PROPOSE_DELTA":   "10ms",
	"CONSENSUS_TIMEOUT_PREVOTE":         "50ms",
	"CONSENSUS_TIMEOUT_PREVOTE_DELTA":   "10ms",
	"CONSENSUS_TIMEOUT_PRECOMMIT":       "50ms",
	"CONSENSUS_TIMEOUT_PRECOMMIT_DELTA": "10ms",
	"CONSENSUS_TIMEOUT_COMMIT":          "10ms",
	"LOG_FORMAT":                        "json",
	"LOG_LEVEL":                         "info",
}

// env is the node's environment: this process's, without any BALLOT_ variable, plus the chain
// settings, the home's ports and, if spec is not "", the crash point.
func (h *Home) env(spec string) []string {
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "BALLOT_") })
	for k, v := range chainSettings {
		env = append(env, "BALLOT_"+k+"="+v)
	}
	// Later entries win: os/exec keeps the last value of a variable named twice.
	env = append(env, h.settings.Env()...)
	env = append(env, "BALLOT_RPC_LADDR="+h.ports[0], "BALLOT_P2P_LADDR="+h.ports[1])
	if spec != "" {
		env = append(env, fail.EnvVar+"="+spec)
	}
	return env
}
