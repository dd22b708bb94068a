package node

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/ballot-bft/ballot/config"
)

// wsClient is a websocket JSON-RPC client for the tests.
type wsClient struct {
	t    *testing.T
	conn *websocket.Conn
}

func (r *rpcNode) dialWS(t *testing.T) *wsClient {
	t.Helper()
	conn, _, err := websocket.DefaultDialer.Dial(r.ws, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &wsClient{t: t, conn: conn}
}

// call sends a request and returns the response carrying its id (events for earlier
// subscriptions arriving meanwhile are handed to skip, if not nil).
func (c *wsClient) call(id, method, params string, skip func(map[string]any)) map[string]any {
	c.t.Helper()
	frame := fmt.Sprintf(`{"jsonrpc":"2.0","id":%q,"method":%q,"params":%s}`, id, method, params)
	if err := c.conn.WriteMessage(websocket.TextMessage, []byte(frame)); err != nil {
		c.t.Fatal(err)
	}
	for {
		msg := c.read()
		if msg["id"] == id {
			return msg
		}
		if skip != nil {
			skip(msg)
		}
	}
}

// read returns the next message, within a bound.
func (c *wsClient) read() map[string]any {
	c.t.Helper()
	if err := c.conn.SetReadDeadline(time.Now().Add(time.Minute)); err != nil { // a bound, not a wait
		c.t.Fatal(err)
	}
	_, raw, err := c.conn.ReadMessage()
	if err != nil {
		c.t.Fatal(err)
	}
	var msg map[string]any
	if err := json.Unmarshal(raw, &msg); err != nil {
		c.t.Fatalf("%v: %s", err, raw)
	}
	return msg
}

// errorData returns the data of an error response, failing the test on a success.
func errorData(t *testing.T, msg map[string]any) string {
	t.Helper()
	e, ok := msg["error"].(map[string]any)
	if !ok {
		t.Fatalf("want an error, got %v", msg)
	}
	data, _ := e["data"].(string)
	return data
}

// eventHeight is the block height an event message is about.
func eventHeight(msg map[string]any) string {
	res, _ := msg["result"].(map[string]any)
	data, _ := res["data"].(map[string]any)
	v, _ := data["value"].(map[string]any)
	if h, ok := v["height"].(string); ok {
		return h
	}
	if hdr, ok := v["header"].(map[string]any); ok {
		return fmt.Sprint(hdr["height"])
	}
	if b, ok := v["block"].(map[string]any); ok {
		return fmt.Sprint(b["header"].(map[string]any)["height"])
	}
	if tx, ok := v["TxResult"].(map[string]any); ok {
		return fmt.Sprint(tx["height"])
	}
	return ""
}

// appDifferences are shape differences that come from the built-in kvstore application, not
// from the RPC: ballot's kvstore returns no validator updates where CometBFT's in-process kvstore
// returns an empty list (through an ABCI socket both are null, as in block_results).
var appDifferences = map[string]bool{
	".result.data.value.result_finalize_block.validator_updates: null, want array": true,
}

// Subscribers receive NewBlock, NewBlockHeader, NewBlockEvents and Tx events (the latter
// filtered by a query on the transaction's events) shaped as CometBFT's, with the subscribe
// request's id; unsubscribe and unsubscribe_all end them.
func TestRPCSubscriptions(t *testing.T) {
	r := startRPCNode(t, nil)
	r.waitHeight(t, 1)
	ws := r.dialWS(t)
	queries := map[string]string{
		"NewBlock":       "tm.event='NewBlock'",
		"Tx":             "tm.event='Tx' AND app.key='abc'",
		"NewBlockHeader": "tm.event='NewBlockHeader'",
		"NewBlockEvents": "tm.event='NewBlockEvents'",
	}
	var events []map[string]any
	collect := func(m map[string]any) { events = append(events, m) }
	for id, q := range queries {
		reply := ws.call(id, "subscribe", fmt.Sprintf(`{"query":%q}`, q), collect)
		if res, ok := reply["result"].(map[string]any); !ok || len(res) != 0 {
			t.Fatalf("subscribe %s: %v, want {}", id, reply)
		}
	}
	// A transaction the Tx query does not match, then one it does.
	r.get(t, `/broadcast_tx_commit?tx="other=1"`).result(t)
	commit := r.get(t, `/broadcast_tx_commit?tx="abc=def"`).result(t)
	txHeight, txHash := commit["height"].(string), commit["hash"].(string)

	got := map[string]map[string]any{}
	for len(got) < len(queries) {
		var msg map[string]any
		if len(events) > 0 {
			msg, events = events[0], events[1:]
		} else {
			msg = ws.read()
		}
		id, _ := msg["id"].(string)
		if _, ok := queries[id]; !ok {
			t.Fatalf("message for no subscription: %v", msg)
		}
		if eventHeight(msg) == txHeight {
			got[id] = msg
		}
		if id == "Tx" && eventHeight(msg) != txHeight {
			t.Fatalf("the Tx query matched another transaction: %v", msg)
		}
	}
	for id, msg := range got {
		for _, d := range sameShape(msg, loadCapture(t, "ws event "+id).Body) {
			if appDifferences[d] {
				continue
			}
			t.Errorf("%s event: %s", id, d)
		}
		if res := msg["result"].(map[string]any); res["query"] != queries[id] {
			t.Errorf("%s event: query %v, want the query as sent, %q", id, res["query"], queries[id])
		}
	}
	for _, d := range sameShape(got["NewBlockEvents"], loadSheetExample(t, "event_new_block_events")) {
		t.Errorf("NewBlockEvents event against the sheet: %s", d)
	}
	txEvents := got["Tx"]["result"].(map[string]any)["events"].(map[string]any)
	if fmt.Sprint(txEvents["tx.hash"]) != "["+txHash+"]" || fmt.Sprint(txEvents["tx.height"]) != "["+txHeight+"]" {
		t.Errorf("Tx event map: tx.hash %v, tx.height %v; want [%s], [%s]", txEvents["tx.hash"], txEvents["tx.height"], txHash, txHeight)
	}
	txValue := got["Tx"]["result"].(map[string]any)["data"].(map[string]any)["value"].(map[string]any)["TxResult"].(map[string]any)
	if _, ok := txValue["index"]; ok {
		t.Errorf("Tx event %v: index 0 must be omitted, as CometBFT does inside events", txValue)
	}
	txResult := got["Tx"]["result"].(map[string]any)["data"].(map[string]any)["value"].(map[string]any)["TxResult"].(map[string]any)["result"].(map[string]any)
	if _, ok := txResult["code"]; ok {
		t.Errorf("Tx event result %v: zero fields must be omitted, as CometBFT does inside events", txResult)
	}

	skip := func(map[string]any) {} // events still in flight
	if reply := ws.call("u1", "unsubscribe", `{"query":"tm.event='NewBlock'"}`, skip); reply["result"] == nil {
		t.Errorf("unsubscribe: %v", reply)
	}
	if data := errorData(t, ws.call("u2", "unsubscribe", `{"query":"tm.event='NewBlock'"}`, skip)); data != "subscription not found" {
		t.Errorf("second unsubscribe: %q", data)
	}
	if reply := ws.call("u3", "unsubscribe_all", `{}`, skip); reply["result"] == nil {
		t.Errorf("unsubscribe_all: %v", reply)
	}
	if data := errorData(t, ws.call("u4", "unsubscribe_all", `{}`, skip)); data != "subscription not found" {
		t.Errorf("second unsubscribe_all: %q", data)
	}
}

// Subscription requests that break a rule get CometBFT's errors.
func TestRPCSubscriptionErrors(t *testing.T) {
	r := startRPCNode(t, func(cfg *config.Config) {
		cfg.RPC.MaxSubscriptionsPerClient = 2
		cfg.RPC.MaxSubscriptionClients = 3 // the indexer service and two websocket clients
	})
	r.waitHeight(t, 1)
	ws := r.dialWS(t)
	skip := func(map[string]any) {}
	for _, tc := range []struct{ params, want string }{
		{`{"query":"tm.event==x"}`, "failed to parse query: offset 9: got = operator, wanted number, timestamp, datestamp or string"},
		{`{"query":"` + strings.Repeat("a", 513) + `"}`, "maximum query length exceeded"},
		{`{"query":5}`, "error converting json params to arguments: "},
	} {
		if data := errorData(t, ws.call("bad", "subscribe", tc.params, skip)); !strings.HasPrefix(data, tc.want) {
			t.Errorf("subscribe %s: %q, want %q…", tc.params, data, tc.want)
		}
	}
	ws.call("a", "subscribe", `{"query":"tm.event='Vote'"}`, skip)
	if data := errorData(t, ws.call("a2", "subscribe", `{"query":"tm.event='Vote'"}`, skip)); data != "already subscribed" {
		t.Errorf("same query twice: %q", data)
	}
	ws.call("b", "subscribe", `{"query":"tm.event='NewRound'"}`, skip)
	if data := errorData(t, ws.call("c", "subscribe", `{"query":"tm.event='Lock'"}`, skip)); data != "max_subscriptions_per_client 2 reached" {
		t.Errorf("third subscription: %q", data)
	}
	second := r.dialWS(t)
	if reply := second.call("d", "subscribe", `{"query":"tm.event='Lock'"}`, skip); reply["result"] == nil {
		t.Fatalf("second client: %v", reply)
	}
	third := r.dialWS(t)
	if data := errorData(t, third.call("e", "subscribe", `{"query":"tm.event='Lock'"}`, skip)); data != "max_subscription_clients 3 reached" {
		t.Errorf("third client: %q", data)
	}
	// As in CometBFT, at the limit even a client that has subscriptions cannot add one.
	if data := errorData(t, second.call("f", "subscribe", `{"query":"tm.event='Relock'"}`, skip)); data != "max_subscription_clients 3 reached" {
		t.Errorf("second client at the limit: %q", data)
	}
	// broadcast_tx_commit subscribes too, so it counts against the same limit.
	if data := r.get(t, `/broadcast_tx_commit?tx="x=1"`).rpcError(t)["data"]; data != "max_subscription_clients 3 reached" {
		t.Errorf("broadcast_tx_commit over the limit: %v", data)
	}

	// A client that leaves frees its place: the server drops its subscriptions.
	ws.conn.Close()
	h := r.n.blockStore.Height()
	for i := int64(1); ; i++ { // one attempt per block, within a bound
		reply := third.call("g", "subscribe", `{"query":"tm.event='Lock'"}`, skip)
		if _, ok := reply["result"]; ok {
			break
		}
		if i == 50 {
			t.Fatalf("the first client's subscriptions were not dropped: %v", reply)
		}
		r.waitHeight(t, h+i)
	}
}

// Malformed parameters get a JSON-RPC error with CometBFT's code, never a panic.
func TestRPCMalformedParams(t *testing.T) {
	r := startRPCNode(t, nil)
	r.waitHeight(t, 1)
	long := strings.Repeat("a", 600)
	for _, tc := range []struct {
		get, post string // one of them
		code      float64
		data      string // prefix
	}{
		{get: "/block?height=abc", code: -32602, data: "error converting http params to arguments: "},
		{get: "/block?height=-5", code: -32603, data: "height must be greater than 0, but got -5"},
		{get: "/tx?hash=0xZZ", code: -32602, data: "error converting http params to arguments: "},
		{get: "/tx", code: -32603, data: "transaction hash cannot be empty"},
		{get: "/validators?page=0", code: -32603, data: "page should be within [1, 1] range, given 0"},
		{get: "/genesis_chunked?chunk=-1", code: -32602, data: "error converting http params to arguments: "},
		{get: "/blockchain?minHeight=-1", code: -32603, data: "heights must be non-negative"},
		{get: "/dial_seeds?seeds=" + `["` + "aa@127.0.0.1:1" + `"]`, code: -32603, data: `"aa@127.0.0.1:1": invalid address: node ID "aa"`},
		{get: "/dial_peers?peers=" + `["` + "aa@127.0.0.1:1" + `"]`, code: -32603, data: `"aa@127.0.0.1:1": invalid address: node ID "aa"`},
		{post: `{"jsonrpc":"2.0","id":1,"method":"broadcast_evidence","params":{"evidence":{"type":"x","value":1}}}`, code: -32602},
		{post: `{"jsonrpc":"2.0","id":1,"method":"broadcast_evidence","params":{"evidence":{"type":"tendermint/DuplicateVoteEvidence","value":{}}}}`,
			code: -32603, data: "evidence.ValidateBasic failed: "},
		{post: `{"jsonrpc":"2.0","id":1,"method":"broadcast_evidence","params":{"evidence":null}}`, code: -32603, data: "no evidence was provided"},
		{post: `{"jsonrpc":"2.0","id":1,"method":"broadcast_tx_sync","params":{"tx":"!!!"}}`, code: -32602},
		{post: `{"jsonrpc":"2.0","id":1,"method":"tx_search","params":{"query":"` + long + `"}}`, code: -32603, data: "maximum query length exceeded"},
		{post: `{"jsonrpc":"2.0","id":1,"method":"dial_peers","params":{"peers":"x"}}`, code: -32602},
		{post: `{"jsonrpc":"2.0","id":1,"method":"abci_query","params":{"data":"zz"}}`, code: -32602},
		{post: `{"jsonrpc":"2.0","id":1,"method":"validators","params":["1","2"]}`, code: -32602},
		{post: `{"jsonrpc":"2.0","id":1,"method":"block_search","params":{"query":"block.height > 1","order_by":"sideways"}}`,
			code: -32603, data: "expected order_by to be either `asc` or `desc` or empty"},
	} {
		var resp response
		if tc.get != "" {
			resp = r.get(t, tc.get)
		} else {
			resp = r.post(t, tc.post)
		}
		e := resp.rpcError(t)
		data, _ := e["data"].(string)
		if e["code"] != tc.code || !strings.HasPrefix(data, tc.data) {
			t.Errorf("%s%s: %v, want code %v and data %q…", tc.get, tc.post, e, tc.code, tc.data)
		}
		if body := resp.Body.(map[string]any); body["id"] == -1.0 && tc.post != "" {
			t.Errorf("%s: id -1 is a recovered panic: %v", tc.post, e)
		}
	}
	// Over the websocket a parameter error is -32603 (CometBFT's quirk).
	ws := r.dialWS(t)
	msg := ws.call("w", "block", `{"height":5}`, nil)
	e := msg["error"].(map[string]any)
	if e["code"] != -32603.0 || !strings.HasPrefix(e["data"].(string), "error converting json params to arguments: ") {
		t.Errorf("websocket params error: %v", e)
	}
}
