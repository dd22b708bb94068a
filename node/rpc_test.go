package node

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/ballot-bft/ballot/config"
	"github.com/ballot-bft/ballot/consensus"
	"github.com/ballot-bft/ballot/libs/log"
	"github.com/ballot-bft/ballot/state"
	"github.com/ballot-bft/ballot/state/indexer"
	"github.com/ballot-bft/ballot/types"
)

// rpcNode is a single-validator node (built-in kvstore) serving the RPC on a loopback port.
type rpcNode struct {
	n   *Node
	url string // http://127.0.0.1:port
	ws  string // ws://127.0.0.1:port/websocket
}

// startRPCNode runs a node from testHome (edited by edit, if not nil) with its RPC and indexer
// service, wired as Run wires them plus the RPC as runConsensus is to start it (rpcEnvironment,
// runRPC next to the driver). Once Run serves the RPC this can become New + Run. The node stops
// when the test ends.
func startRPCNode(t *testing.T, edit func(*config.Config)) *rpcNode {
	t.Helper()
	cfg := testHome(t)
	cfg.ProxyApp = "kvstore"
	cfg.RPC.ListenAddress = "tcp://127.0.0.1:0"
	// As by default: with skip_timeout_commit a lone validator's driver goes from height to
	// height without returning to its loop, and the published view lags behind.
	cfg.Consensus.SkipTimeoutCommit = false
	if edit != nil {
		edit(cfg)
	}
	n, err := New(cfg, log.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	// Consensus and the RPC stop first, then the services they use, as in Run.
	servicesCtx, stopServices := context.WithCancel(context.Background())
	services, servicesCtx := errgroup.WithContext(servicesCtx)
	partsCtx, stopParts := context.WithCancel(context.Background())
	parts, partsCtx := errgroup.WithContext(partsCtx)
	var walLog io.Closer
	t.Cleanup(func() {
		stopParts()
		if err := parts.Wait(); err != nil {
			t.Errorf("consensus or RPC stopped with: %v", err)
		}
		stopServices()
		if err := services.Wait(); err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("node services stopped with: %v", err)
		}
		if walLog != nil {
			walLog.Close()
		}
		if err := n.close(); err != nil {
			t.Errorf("closing the node: %v", err)
		}
	})
	services.Go(func() error { return n.appConns.Run(servicesCtx) })
	services.Go(func() error { return n.eventBus.Run(servicesCtx) })
	indexing := indexer.NewService(indexer.ServiceConfig{TxIndexer: n.txIndexer, BlockIndexer: n.blockIndexer,
		EventBus: n.eventBus, Blocks: n.blockStore, Results: n.stateStore})
	services.Go(func() error { return indexing.Run(servicesCtx) })

	select {
	case <-n.appConns.Connected():
	case <-time.After(time.Minute): // a bound, not a wait
		t.Fatal("the application did not connect")
	}
	st, err := state.NewHandshaker(n.stateStore, n.state, n.blockStore, n.genDoc, n.eventBus, log.NewNop()).Handshake(partsCtx, n.appConns)
	if err != nil {
		t.Fatal(err)
	}
	mp, err := n.newMempool(st)
	if err != nil {
		t.Fatal(err)
	}
	exec := state.NewBlockExecutor(n.stateStore, log.NewNop(), n.appConns.Consensus(), state.NewMempoolAdapter(mp),
		n.evidence, n.blockStore, state.WithEventPublisher(n.eventBus))
	walFile, err := openWAL(cfg.Consensus.WalFile(), log.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	walLog = walFile
	net, err := n.newNetwork(st, mp, exec)
	if err != nil {
		t.Fatal(err)
	}
	driver := consensus.NewDriver(consensusConfig(cfg), st, consensus.Deps{
		Signer: n.privVal, Executor: exec, BlockStore: n.blockStore, WAL: walFile, Gossip: net.consensus,
		Events: consensusEvents{bus: n.eventBus, evidence: n.evidence, logger: log.NewNop()},
	})
	cons := newConsensusView(n.stateStore)
	cons.attach(driver)
	net.consensus.SwitchToConsensus(driver)

	env, err := n.rpcEnvironment(rpcParts{state: st, mempool: mp, consensus: cons, network: net})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := n.listenRPC(env)
	if err != nil {
		t.Fatal(err)
	}
	addr := srv.addrs()[0].String()
	parts.Go(func() error { return srv.run(partsCtx) })
	parts.Go(func() error { return driver.Run(partsCtx) })
	parts.Go(func() error { return net.run(partsCtx) })
	return &rpcNode{n: n, url: "http://" + addr, ws: "ws://" + addr + "/websocket"}
}

// waitHeight returns once the node has committed height (told by the event bus, not polled).
func (r *rpcNode) waitHeight(t *testing.T, height int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a bound, not a wait
	defer cancel()
	sub, err := r.n.eventBus.Subscribe(ctx, fmt.Sprintf("wait-%d-%p", height, t), types.EventQueryNewBlockHeader, 1000)
	if err != nil {
		t.Fatal(err)
	}
	defer r.n.eventBus.UnsubscribeAll(context.Background(), sub.ClientID()) //nolint:errcheck
	for r.n.blockStore.Height() < height {
		select {
		case <-sub.Out():
		case <-sub.Canceled():
			t.Fatalf("waiting for height %d: %v", height, sub.Err())
		case <-ctx.Done():
			t.Fatalf("no height %d within the bound", height)
		}
	}
}

// response is an HTTP answer: status and parsed JSON body (nil if the body is not JSON, then
// raw holds it).
type response struct {
	Status int `json:"status"`
	Body   any `json:"body"`
	raw    string
}

// get calls the URI transport.
func (r *rpcNode) get(t *testing.T, path string) response {
	t.Helper()
	resp, err := http.Get(r.url + path)
	if err != nil {
		t.Fatal(err)
	}
	return readResponse(t, resp)
}

// post sends a JSON-RPC body to "/".
func (r *rpcNode) post(t *testing.T, body string) response {
	t.Helper()
	resp, err := http.Post(r.url+"/", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return readResponse(t, resp)
}

func readResponse(t *testing.T, resp *http.Response) response {
	t.Helper()
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := response{Status: resp.StatusCode, raw: string(raw)}
	if err := json.Unmarshal(raw, &out.Body); err != nil {
		out.Body = nil
	}
	return out
}

// result returns the "result" member of a successful JSON-RPC response.
func (resp response) result(t *testing.T) map[string]any {
	t.Helper()
	body, _ := resp.Body.(map[string]any)
	res, ok := body["result"].(map[string]any)
	if !ok {
		t.Fatalf("HTTP %d, no result object: %s", resp.Status, resp.raw)
	}
	return res
}

// rpcError returns the "error" member of a JSON-RPC error response.
func (resp response) rpcError(t *testing.T) map[string]any {
	t.Helper()
	body, _ := resp.Body.(map[string]any)
	e, ok := body["error"].(map[string]any)
	if !ok {
		t.Fatalf("HTTP %d, no error object: %s", resp.Status, resp.raw)
	}
	return e
}

// loadCapture reads an answer of cometbft v0.38.26 captured by scripts/compat/rpc.sh
// (RPC_COMPAT_SAVE) into testdata/rpc/cometbft.
func loadCapture(t *testing.T, name string) response {
	t.Helper()
	file := regexp.MustCompile(`[^A-Za-z0-9_.=-]+`).ReplaceAllString(name, "_") + ".json"
	raw, err := os.ReadFile(filepath.Join("testdata", "rpc", "cometbft", file))
	if err != nil {
		t.Fatal(err)
	}
	var out response
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// Value encodings of JSON strings, as told apart by sameShape.
var (
	reInt  = regexp.MustCompile(`^-?\d+$`)
	reHex  = regexp.MustCompile(`^[0-9A-F]+$`)
	reB64  = regexp.MustCompile(`^[A-Za-z0-9+/]*={0,2}$`)
	reTime = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$`)
)

// encodings returns the encodings a JSON string could be in: int (decimal), hex (upper case),
// b64, time (RFC 3339 UTC), empty, or str (anything else).
func encodings(s string) map[string]bool {
	k := map[string]bool{}
	switch {
	case s == "":
		k["empty"] = true
	case reTime.MatchString(s):
		k["time"] = true
	default:
		// Upper-case hex is taken for hex, not base64: random base64 of 8 or more characters
		// is all but certain to hold a lower-case letter, '+', '/' or '='.
		isInt := reInt.MatchString(s)
		k["int"] = isInt
		k["hex"] = reHex.MatchString(s) && len(s)%2 == 0 && (len(s) >= 8 || !isInt)
		k["b64"] = !k["hex"] && reB64.MatchString(s) && len(s)%4 == 0 && !isInt
		if !k["int"] && !k["hex"] && !k["b64"] {
			k["str"] = true
		}
	}
	return k
}

// compatibleEncodings reports whether two strings may be values of one encoding: they share
// one, or one is free text or empty and neither is an integer or a time.
func compatibleEncodings(a, b map[string]bool) bool {
	textLike := func(k map[string]bool) bool { return !k["int"] && !k["time"] }
	for e, ok := range a {
		if ok && b[e] {
			return true
		}
	}
	loose := a["empty"] || a["str"] || b["empty"] || b["str"]
	return loose && textLike(a) && textLike(b)
}

// sameShape compares two JSON values by keys and value encodings, not values (the rule of
// scripts/compat/rpc.sh): objects must have the same keys; arrays are compared by their first
// elements when both are non-empty; strings must be compatible encodings; "code", "message",
// "jsonrpc" and "type" members must be equal. It returns the differences, by path.
func sameShape(got, want any) []string {
	var diffs []string
	var walk func(a, b any, path string, literal bool)
	walk = func(a, b any, path string, literal bool) {
		if literal && a != nil && fmt.Sprint(a) != fmt.Sprint(b) {
			diffs = append(diffs, fmt.Sprintf("%s: %v, want %v", path, a, b))
			return
		}
		if (a == nil || b == nil) && stepDependent[path] {
			return
		}
		switch av := a.(type) {
		case map[string]any:
			bv, ok := b.(map[string]any)
			if !ok {
				diffs = append(diffs, fmt.Sprintf("%s: object, want %s", path, jsonKind(b)))
				return
			}
			keys := map[string]bool{}
			for k := range av {
				keys[k] = true
			}
			for k := range bv {
				keys[k] = true
			}
			sorted := make([]string, 0, len(keys))
			for k := range keys {
				sorted = append(sorted, k)
			}
			sort.Strings(sorted)
			for _, k := range sorted {
				x, inA := av[k]
				y, inB := bv[k]
				switch {
				case !inB:
					diffs = append(diffs, fmt.Sprintf("%s.%s: unexpected key", path, k))
				case !inA:
					diffs = append(diffs, fmt.Sprintf("%s.%s: missing key", path, k))
				default:
					walk(x, y, path+"."+k, k == "code" || k == "message" || k == "jsonrpc" || k == "type")
				}
			}
		case []any:
			bv, ok := b.([]any)
			if !ok {
				diffs = append(diffs, fmt.Sprintf("%s: array, want %s", path, jsonKind(b)))
				return
			}
			if len(av) > 0 && len(bv) > 0 {
				walk(av[0], bv[0], path+"[0]", false)
			}
		case string:
			bv, ok := b.(string)
			if !ok {
				diffs = append(diffs, fmt.Sprintf("%s: string, want %s", path, jsonKind(b)))
				return
			}
			if !compatibleEncodings(encodings(av), encodings(bv)) {
				diffs = append(diffs, fmt.Sprintf("%s: %q is not encoded like %q", path, av, bv))
			}
		default:
			if jsonKind(a) != jsonKind(b) {
				diffs = append(diffs, fmt.Sprintf("%s: %s, want %s", path, jsonKind(a), jsonKind(b)))
			}
		}
	}
	walk(got, want, "", false)
	return diffs
}

// stepDependent are the round-state parts that are null or an object depending on the consensus
// step the node is in when asked; the captured answer and ours come from different moments. How
// each is rendered is compared with CometBFT's byte for byte in rpc/core (round_state_view_test.go).
var stepDependent = map[string]bool{}

func init() {
	for _, k := range []string{"proposal", "proposal_block", "proposal_block_parts", "locked_block",
		"locked_block_parts", "valid_block", "valid_block_parts", "last_commit"} {
		stepDependent[".result.round_state."+k] = true
	}
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "bool"
	}
	return fmt.Sprintf("%T", v)
}

// The shape comparison itself must tell the encodings CometBFT uses apart.
func TestSameShape(t *testing.T) {
	for _, tc := range []struct {
		got, want string
		same      bool
	}{
		{`{"height":"15"}`, `{"height":"3"}`, true},
		{`{"height":15}`, `{"height":"15"}`, false},
		{`{"hash":"57986C1BB910AFD6"}`, `{"hash":"E3B0C44298FC1C14"}`, true},
		{`{"hash":"V5hsG7kQr9b3Q1L+WMPtRFVlai/mZD/I"}`, `{"hash":"57986C1BB910AFD6F74352FE"}`, false},
		{`{"hash":""}`, `{"hash":"57986C1BB910AFD6"}`, true},
		{`{"time":"2026-11-23T06:48:11.844341768Z"}`, `{"time":"1970-01-01T00:00:00Z"}`, true},
		{`{"time":"1700000000"}`, `{"time":"1970-01-01T00:00:00Z"}`, false},
		{`{"a":[]}`, `{"a":[{"b":1}]}`, true},
		{`{"a":null}`, `{"a":[]}`, false},
		{`{"a":1,"b":2}`, `{"a":1}`, false},
		{`{"error":{"code":-32603}}`, `{"error":{"code":-32602}}`, false},
		{`{"log":"exists"}`, `{"log":"does not exist"}`, true},
	} {
		var got, want any
		if err := json.Unmarshal([]byte(tc.got), &got); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(tc.want), &want); err != nil {
			t.Fatal(err)
		}
		if diffs := sameShape(got, want); (len(diffs) == 0) != tc.same {
			t.Errorf("sameShape(%s, %s) = %v, want same=%v", tc.got, tc.want, diffs, tc.same)
		}
	}
}
