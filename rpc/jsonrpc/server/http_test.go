package server

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// TestURIParams covers rpc.md §4.1: how each declared type accepts a query value.
func TestURIParams(t *testing.T) {
	s := startServer(t, testRoutes(), DefaultConfig())
	const paramsErr = `{"jsonrpc":"2.0","id":-1,"error":{"code":-32602,"message":"Invalid params","data":"error converting http params to arguments: `
	for _, tc := range []struct {
		name   string
		query  string // path and query after the host
		status int
		body   string
	}{
		{"bare integer", `/echo_int?arg=5`, 200, `{"jsonrpc":"2.0","id":-1,"result":{"value":"5"}}`},
		{"negative integer", `/echo_int?arg=-5`, 200, `{"jsonrpc":"2.0","id":-1,"result":{"value":"-5"}}`},
		{"quoted integer", `/echo_int?arg=%225%22`, 200, `{"jsonrpc":"2.0","id":-1,"result":{"value":"5"}}`},
		{"missing integer", `/echo_int`, 200, `{"jsonrpc":"2.0","id":-1,"result":{"value":"0"}}`},
		{"empty integer", `/echo_int?arg=`, 200, `{"jsonrpc":"2.0","id":-1,"result":{"value":"0"}}`},
		{"hex for an integer", `/echo_int?arg=0x10`, 500, paramsErr + `got a hex string arg, but expected 'int64'"}}`},
		// CometBFT's decoder checks a 64-bit integer's quotes before its syntax.
		{"unquoted integer garbage", `/echo_int?arg=5x`, 500, paramsErr + `invalid 64-bit integer encoding \"5x\", expected string"}}`},
		{"bare word for an integer", `/block?height=abc`, 500, paramsErr + `invalid 64-bit integer encoding \"abc\", expected string"}}`},
		{"unterminated quoted integer", `/echo_int?arg=%225`, 500, paramsErr + `invalid 64-bit integer encoding \"\\\"5\", expected string"}}`},
		{"quoted garbage for an integer", `/echo_int?arg=%22a%22b%22`, 500, paramsErr + `invalid character 'a' looking for beginning of value"}}`},
		{"quoted word for an integer", `/echo_int?arg=%22abc%22`, 500, paramsErr + `invalid character 'a' looking for beginning of value"}}`},
		{"quoted string", `/echo?arg=%22%2Fstore%22`, 200, `{"jsonrpc":"2.0","id":-1,"result":{"value":"/store"}}`},
		{"query string with quotes", `/echo?arg=%22tm.event%3D%27Tx%27%22`, 200, `{"jsonrpc":"2.0","id":-1,"result":{"value":"tm.event='Tx'"}}`},
		{"hex string", `/echo?arg=0x2F73746F7265`, 200, `{"jsonrpc":"2.0","id":-1,"result":{"value":"/store"}}`},
		{"bare string", `/echo?arg=abc`, 500, paramsErr + `invalid character 'a' looking for beginning of value"}}`},
		{"hex bytes", `/echo_bytes?arg=0xABcdef`, 200, `{"jsonrpc":"2.0","id":-1,"result":{"value":"q83v"}}`},
		{"upper-case 0X", `/echo_bytes?arg=0X01`, 200, `{"jsonrpc":"2.0","id":-1,"result":{"value":"AQ=="}}`},
		{"quoted bytes are raw", `/echo_bytes?arg=%22abc%22`, 200, `{"jsonrpc":"2.0","id":-1,"result":{"value":"YWJj"}}`},
		{"bad hex bytes", `/echo_bytes?arg=0xzz`, 500, paramsErr + `encoding/hex: invalid byte: U+007A 'z'"}}`},
		{"odd hex bytes", `/echo_bytes?arg=0xabc`, 500, paramsErr + `encoding/hex: odd length hex string"}}`},
		{"HexBytes from hex", `/echo_hex?arg=0xabcd`, 200, `{"jsonrpc":"2.0","id":-1,"result":{"value":"ABCD"}}`},
		{"HexBytes from quoted", `/echo_hex?arg=%22abc%22`, 200, `{"jsonrpc":"2.0","id":-1,"result":{"value":"616263"}}`},
		{"all kinds", `/all?s=%22x%22&i=-1&u=2&n=3&b=true&bz=0x00&ss=[%22id@host:26656%22]&p=4`, 200,
			`{"jsonrpc":"2.0","id":-1,"result":{"s":"x","i":"-1","u":"2","n":3,"b":true,"bz":"AA==","ss":["id@host:26656"],"p":"4"}}`},
		{"all missing", `/all`, 200,
			`{"jsonrpc":"2.0","id":-1,"result":{"s":"","i":"0","u":"0","n":0,"b":false,"bz":null,"ss":null,"p":null}}`},
		{"bool as number", `/all?b=1`, 500, paramsErr + `json: cannot unmarshal number into Go value of type bool"}}`},
		{"negative uint", `/all?u=-1`, 500, paramsErr + `json: cannot unmarshal number -1 into Go value of type uint"}}`},
		{"pointer integer", `/block?height=7`, 200, `{"jsonrpc":"2.0","id":-1,"result":{"height":"7"}}`},
		{"pointer missing", `/block`, 200, `{"jsonrpc":"2.0","id":-1,"result":{"height":null}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			do(t, "GET", s.url+tc.query, "").expect(t, tc.status, tc.body)
		})
	}
}

// TestURITransport: id -1, any HTTP method, body ignored, statuses and headers of §1-§2.
func TestURITransport(t *testing.T) {
	s := startServer(t, testRoutes(), DefaultConfig())

	r := do(t, "POST", s.url+"/echo_int?arg=1", `{"jsonrpc":"2.0","id":1,"method":"health"}`)
	r.expect(t, 200, `{"jsonrpc":"2.0","id":-1,"result":{"value":"1"}}`)
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q", ct)
	}
	if _, err := strconv.ParseInt(r.header.Get("X-Server-Time"), 10, 64); err != nil {
		t.Fatalf("X-Server-Time %q: %v", r.header.Get("X-Server-Time"), err)
	}
	if cc := r.header.Get("Cache-Control"); cc != "" {
		t.Fatalf("uncacheable route sent Cache-Control %q", cc)
	}

	do(t, "PUT", s.url+"/health", "").expect(t, 200, `{"jsonrpc":"2.0","id":-1,"result":{}}`)

	r = do(t, "GET", s.url+"/fail?height=99999", "")
	r.expect(t, 500, `{"jsonrpc":"2.0","id":-1,"error":{"code":-32603,"message":"Internal error","data":"height 99999 must be less than or equal to the current blockchain height 76"}}`)
	if r.header.Get("Cache-Control") != "" {
		t.Fatal("an error response is cacheable")
	}

	r = do(t, "GET", s.url+"/ws_only", "")
	r.expect(t, 404, `{"jsonrpc":"2.0","id":-1,"error":{"code":-32601,"message":"Method not found"}}`)
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q", ct)
	}

	r = do(t, "GET", s.url+"/nope", "")
	r.expect(t, 404, "404 page not found\n")
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Fatalf("404 Content-Type %q", ct)
	}
	if r.header.Get("X-Server-Time") == "" {
		t.Fatal("404 without X-Server-Time")
	}
	do(t, "GET", s.url+"/health/extra", "").expect(t, 404, "404 page not found\n")

	r = do(t, "GET", s.url+"/remote", "")
	if !strings.Contains(r.body, `"value":"127.0.0.1:`) {
		t.Fatalf("remote address not passed to the route: %s", r.body)
	}
}

func TestCacheControl(t *testing.T) {
	s := startServer(t, testRoutes(), DefaultConfig())
	for _, tc := range []struct {
		name      string
		method    string
		path      string
		body      string
		cacheable bool
	}{
		{"always cacheable", "GET", "/genesis", "", true},
		{"height given", "GET", "/block?height=5", "", true},
		{"height missing", "GET", "/block", "", false},
		{"height zero", "GET", "/block?height=0", "", false},
		{"never cacheable", "GET", "/health", "", false},
		{"POST cacheable", "POST", "/", `{"jsonrpc":"2.0","id":1,"method":"block","params":{"height":"3"}}`, true},
		{"POST without height", "POST", "/", `{"jsonrpc":"2.0","id":1,"method":"block","params":{}}`, false},
		{"POST batch all cacheable", "POST", "/", `[{"jsonrpc":"2.0","id":1,"method":"genesis"},{"jsonrpc":"2.0","id":2,"method":"block","params":["2"]}]`, true},
		{"POST batch mixed", "POST", "/", `[{"jsonrpc":"2.0","id":1,"method":"genesis"},{"jsonrpc":"2.0","id":2,"method":"health"}]`, false},
		{"POST error", "POST", "/", `{"jsonrpc":"2.0","id":1,"method":"fail","params":{"height":"1"}}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, tc.method, s.url+tc.path, tc.body)
			got := r.header.Get("Cache-Control")
			if tc.cacheable && got != "public, max-age=86400" || !tc.cacheable && got != "" {
				t.Fatalf("Cache-Control %q (cacheable %v); body %s", got, tc.cacheable, r.body)
			}
		})
	}
}

// TestJSONRPC covers POST / (rpc.md §2, §4.2).
func TestJSONRPC(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxBodyBytes = 1000
	s := startServer(t, testRoutes(), cfg)
	const invalidParams = `"error":{"code":-32602,"message":"Invalid params","data":"error converting json params to arguments: `
	for _, tc := range []struct {
		name   string
		body   string
		status int
		want   string
	}{
		{"by name", `{"jsonrpc":"2.0","id":1,"method":"echo_int","params":{"arg":"5"}}`, 200,
			`{"jsonrpc":"2.0","id":1,"result":{"value":"5"}}`},
		{"by position", `{"jsonrpc":"2.0","id":"abc","method":"echo_int","params":["-5"]}`, 200,
			`{"jsonrpc":"2.0","id":"abc","result":{"value":"-5"}}`},
		{"fractional id truncated", `{"jsonrpc":"2.0","id":7.9,"method":"health"}`, 200,
			`{"jsonrpc":"2.0","id":7,"result":{}}`},
		{"id zero", `{"jsonrpc":"2.0","id":0,"method":"health"}`, 200, `{"jsonrpc":"2.0","id":0,"result":{}}`},
		{"missing params are zero", `{"jsonrpc":"2.0","id":1,"method":"all","params":{"s":"x"}}`, 200,
			`{"jsonrpc":"2.0","id":1,"result":{"s":"x","i":"0","u":"0","n":0,"b":false,"bz":null,"ss":null,"p":null}}`},
		{"null params", `{"jsonrpc":"2.0","id":1,"method":"echo","params":null}`, 200,
			`{"jsonrpc":"2.0","id":1,"result":{"value":""}}`},
		{"all by name", `{"jsonrpc":"2.0","id":1,"method":"all","params":{"s":"x","i":"1","u":"2","n":3,"b":true,"bz":"AAE=","ss":["a"],"p":"4"}}`, 200,
			`{"jsonrpc":"2.0","id":1,"result":{"s":"x","i":"1","u":"2","n":3,"b":true,"bz":"AAE=","ss":["a"],"p":"4"}}`},
		{"bytes are base64", `{"jsonrpc":"2.0","id":1,"method":"echo_bytes","params":{"arg":"YWJj"}}`, 200,
			`{"jsonrpc":"2.0","id":1,"result":{"value":"YWJj"}}`},
		{"hex silently read as base64", `{"jsonrpc":"2.0","id":1,"method":"echo_bytes","params":{"arg":"abcd"}}`, 200,
			`{"jsonrpc":"2.0","id":1,"result":{"value":"abcd"}}`},
		{"HexBytes are hex", `{"jsonrpc":"2.0","id":1,"method":"echo_hex","params":{"arg":"abcd"}}`, 200,
			`{"jsonrpc":"2.0","id":1,"result":{"value":"ABCD"}}`},
		{"integer as number", `{"jsonrpc":"2.0","id":1,"method":"echo_int","params":{"arg":5}}`, 200,
			`{"jsonrpc":"2.0","id":1,` + invalidParams + `invalid 64-bit integer encoding \"5\", expected string"}}`},
		{"wrong array length", `{"jsonrpc":"2.0","id":1,"method":"echo","params":["a","b"]}`, 200,
			`{"jsonrpc":"2.0","id":1,` + invalidParams + `expected 1 parameters ([arg]), got 2 ([\"a\" \"b\"])"}}`},
		{"params neither object nor array", `{"jsonrpc":"2.0","id":1,"method":"echo","params":"x"}`, 200,
			`{"jsonrpc":"2.0","id":1,` + invalidParams + `unknown type for JSON params: json: cannot unmarshal string into Go value of type []json.RawMessage. Expected map or array"}}`},
		{"method not found", `{"jsonrpc":"2.0","id":1,"method":"nope"}`, 200,
			`{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"Method not found"}}`},
		{"websocket-only over HTTP", `{"jsonrpc":"2.0","id":1,"method":"ws_only"}`, 200,
			`{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"Method not found"}}`},
		{"handler error", `{"jsonrpc":"2.0","id":2,"method":"fail","params":{"height":"9"}}`, 200,
			`{"jsonrpc":"2.0","id":2,"error":{"code":-32603,"message":"Internal error","data":"height 9 must be less than or equal to the current blockchain height 76"}}`},
		{"parse error", `{"jsonrpc":"2.0",`, 500,
			`{"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error. Invalid JSON","data":"error unmarshaling request: unexpected end of JSON input"}}`},
		{"bool id is a parse error", `{"jsonrpc":"2.0","id":true,"method":"health"}`, 500,
			`{"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error. Invalid JSON","data":"error unmarshaling request: json-rpc ID must be a string or a number, got true"}}`},
		{"body too large", `{"jsonrpc":"2.0","id":1,"method":"echo","params":["` + strings.Repeat("x", 1000) + `"]}`, 400,
			`{"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid Request","data":"error reading request body: http: request body too large"}}`},
		{"notification", `{"jsonrpc":"2.0","method":"panic"}`, 200, ``},
		{"null id is a notification", `{"jsonrpc":"2.0","id":null,"method":"health"}`, 200, ``},
		{"batch", `[{"jsonrpc":"2.0","id":1,"method":"echo","params":["a"]},{"jsonrpc":"2.0","method":"health"},{"jsonrpc":"2.0","id":"b","method":"nope"}]`, 200,
			`[{"jsonrpc":"2.0","id":1,"result":{"value":"a"}},{"jsonrpc":"2.0","id":"b","error":{"code":-32601,"message":"Method not found"}}]`},
		{"batch with one response is an object", `[{"jsonrpc":"2.0","id":1,"method":"health"},{"jsonrpc":"2.0","method":"health"}]`, 200,
			`{"jsonrpc":"2.0","id":1,"result":{}}`},
		{"batch of notifications", `[{"jsonrpc":"2.0","method":"health"},{"jsonrpc":"2.0","method":"health"}]`, 200, ``},
		{"empty batch", `[]`, 200, ``},
		{"batch too large", "[" + strings.Repeat(`{"jsonrpc":"2.0","id":1,"method":"health"},`, 10) + `{"jsonrpc":"2.0","id":1,"method":"health"}]`, 200,
			`{"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid Request","data":"batch request exceeds maximum (10) allowed number of requests"}}`},
		{"panic", `{"jsonrpc":"2.0","id":5,"method":"panic"}`, 500,
			`{"jsonrpc":"2.0","id":-1,"error":{"code":-32603,"message":"Internal error","data":"route exploded"}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, "POST", s.url+"/", tc.body)
			r.expect(t, tc.status, tc.want)
			if tc.want != "" && r.header.Get("Content-Type") != "application/json" {
				t.Fatalf("Content-Type %q", r.header.Get("Content-Type"))
			}
			if r.header.Get("X-Server-Time") == "" {
				t.Fatal("no X-Server-Time")
			}
		})
	}
	// The server survived the panic.
	do(t, "GET", s.url+"/health", "").expect(t, 200, `{"jsonrpc":"2.0","id":-1,"result":{}}`)
}

func TestBatchLimitDisabled(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxRequestBatchSize = 0
	s := startServer(t, testRoutes(), cfg)
	body := "[" + strings.Repeat(`{"jsonrpc":"2.0","id":1,"method":"health"},`, 20) + `{"jsonrpc":"2.0","id":2,"method":"health"}]`
	r := do(t, "POST", s.url+"/", body)
	if r.status != 200 || strings.Count(r.body, `"result":{}`) != 21 {
		t.Fatalf("HTTP %d %s", r.status, r.body)
	}
}

func TestIndexPage(t *testing.T) {
	s := startServer(t, testRoutes(), DefaultConfig())
	r := do(t, "GET", s.url+"/", "")
	if r.status != 200 || r.header.Get("Content-Type") != "text/html" {
		t.Fatalf("HTTP %d, Content-Type %q", r.status, r.header.Get("Content-Type"))
	}
	host := strings.TrimPrefix(s.url, "http://")
	for _, want := range []string{
		"<html><body><br>Available endpoints:<br>",
		`<a href="//` + host + `/health">health</a><br>`,
		"<br>Endpoints that require arguments:<br>",
		`<a href="//` + host + `/block?height=_">//` + host + `/block?height=_</a></br>`,
		`/all?s=_&amp;i=_&amp;u=_`,
		"</body></html>",
	} {
		if !strings.Contains(r.body, want) {
			t.Fatalf("index lacks %q:\n%s", want, r.body)
		}
	}
	if strings.Index(r.body, "/echo?") > strings.Index(r.body, "/echo_bytes?") {
		t.Fatal("index not sorted")
	}
	// POST with an empty body gets the index too.
	if r := do(t, "POST", s.url+"/", ""); !strings.HasPrefix(r.body, "<html>") {
		t.Fatalf("empty POST: %s", r.body)
	}
}

func TestFormValueFallback(t *testing.T) {
	s := startServer(t, testRoutes(), DefaultConfig())
	form := url.Values{"arg": {"7"}}
	req := strings.NewReader(form.Encode())
	resp, err := httpPostForm(s.url+"/echo_int", req)
	if err != nil {
		t.Fatal(err)
	}
	if resp != `{"jsonrpc":"2.0","id":-1,"result":{"value":"7"}}` {
		t.Fatal(resp)
	}
}
