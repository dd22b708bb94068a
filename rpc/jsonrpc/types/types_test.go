package types

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestIDJSON(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    ID
		encoded string // re-encoding; "" means same as in
	}{
		{`"abc"`, StringID("abc"), ""},
		{`""`, StringID(""), ""},
		{`0`, IntID(0), ""},
		{`-1`, IntID(-1), ""},
		{`9223372036854775807`, IntID(9223372036854775807), ""},
		{`1.9`, IntID(1), `1`},
		{`-1.9`, IntID(-1), `-1`},
		{`1e3`, IntID(1000), `1000`},
		{`null`, ID{}, ""},
	} {
		var id ID
		if err := json.Unmarshal([]byte(tc.in), &id); err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if id != tc.want {
			t.Fatalf("%s: got %#v want %#v", tc.in, id, tc.want)
		}
		out, err := json.Marshal(id)
		if err != nil {
			t.Fatal(err)
		}
		want := tc.encoded
		if want == "" {
			want = tc.in
		}
		if string(out) != want {
			t.Fatalf("%s: re-encoded as %s, want %s", tc.in, out, want)
		}
	}
	for _, bad := range []string{`true`, `{}`, `[1]`, `1e400`, `9.3e18`} {
		var id ID
		if err := json.Unmarshal([]byte(bad), &id); !errors.Is(err, ErrIDType) {
			t.Fatalf("%s: error %v, want ErrIDType", bad, err)
		}
	}
}

func TestRequestDecoding(t *testing.T) {
	for _, tc := range []struct {
		in           string
		notification bool
		id           ID
		method       string
		params       string
	}{
		{`{"jsonrpc":"2.0","id":1,"method":"status","params":{}}`, false, IntID(1), "status", `{}`},
		{`{"jsonrpc":"2.0","id":"tx","method":"subscribe","params":["tm.event='Tx'"]}`, false, StringID("tx"), "subscribe", `["tm.event='Tx'"]`},
		{`{"jsonrpc":"2.0","method":"status"}`, true, ID{}, "status", ``},
		{`{"jsonrpc":"2.0","id":null,"method":"status","params":null}`, true, ID{}, "status", `null`},
	} {
		var req RPCRequest
		if err := json.Unmarshal([]byte(tc.in), &req); err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if req.IsNotification() != tc.notification || req.ID != tc.id || req.Method != tc.method || string(req.Params) != tc.params {
			t.Fatalf("%s: decoded %+v", tc.in, req)
		}
	}
	var req RPCRequest
	if err := json.Unmarshal([]byte(`{"id":false,"method":"status"}`), &req); !errors.Is(err, ErrIDType) {
		t.Fatalf("bool id: %v", err)
	}
}

// TestResponseEncoding pins the exact envelope bytes of rpc.md §2.
func TestResponseEncoding(t *testing.T) {
	type result struct {
		Height int64     `json:"height"`
		Time   time.Time `json:"time"`
	}
	for _, tc := range []struct {
		name string
		resp RPCResponse
		want string
	}{
		{"success", NewRPCSuccessResponse(IntID(-1), &result{15, time.Unix(0, 0)}),
			`{"jsonrpc":"2.0","id":-1,"result":{"height":"15","time":"1970-01-01T00:00:00Z"}}`},
		{"success with string id", NewRPCSuccessResponse(StringID("tx"), map[string]any{}),
			`{"jsonrpc":"2.0","id":"tx","result":{}}`},
		{"success with nil result", NewRPCSuccessResponse(IntID(0), nil), `{"jsonrpc":"2.0","id":0}`},
		{"unencodable result", NewRPCSuccessResponse(IntID(2), struct{ C chan int }{}),
			`{"jsonrpc":"2.0","id":2,"error":{"code":-32603,"message":"Internal error","data":"error marshaling response: json: unsupported type: chan int"}}`},
		{"parse error", RPCParseError(errors.New("error unmarshaling request: x")),
			`{"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error. Invalid JSON","data":"error unmarshaling request: x"}}`},
		{"body too large", RPCInvalidRequestError(ID{}, errors.New("error reading request body: http: request body too large")),
			`{"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid Request","data":"error reading request body: http: request body too large"}}`},
		{"method not found", RPCMethodNotFoundError(IntID(1)),
			`{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"Method not found"}}`},
		{"invalid params", RPCInvalidParamsError(IntID(1), errors.New("error converting json params to arguments: e")),
			`{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"Invalid params","data":"error converting json params to arguments: e"}}`},
		{"internal", RPCInternalError(IntID(-1), errors.New("height must be greater than 0, but got 0")),
			`{"jsonrpc":"2.0","id":-1,"error":{"code":-32603,"message":"Internal error","data":"height must be greater than 0, but got 0"}}`},
		{"server", RPCServerError(StringID("s"), errors.New("subscription was canceled (reason: slow client)")),
			`{"jsonrpc":"2.0","id":"s","error":{"code":-32000,"message":"Server error","data":"subscription was canceled (reason: slow client)"}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := json.Marshal(tc.resp)
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tc.want {
				t.Fatalf("got  %s\nwant %s", out, tc.want)
			}
			var back RPCResponse
			if err := json.Unmarshal(out, &back); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, tc.resp) {
				t.Fatalf("decoded %+v, want %+v", back, tc.resp)
			}
		})
	}
	e := RPCError{Code: -32603, Message: "Internal error", Data: "boom"}
	if e.Error() != "RPC error -32603 - Internal error: boom" {
		t.Fatal(e.Error())
	}
}

func TestParamsBuilders(t *testing.T) {
	req, err := MapToRequest(IntID(3), "block", map[string]any{"height": int64(5)})
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(req)
	if string(out) != `{"jsonrpc":"2.0","id":3,"method":"block","params":{"height":"5"}}` {
		t.Fatal(string(out))
	}
	req, err = ArrayToRequest(StringID("a"), "tx", []any{[]byte("abc"), true})
	if err != nil {
		t.Fatal(err)
	}
	out, _ = json.Marshal(req)
	if string(out) != `{"jsonrpc":"2.0","id":"a","method":"tx","params":["YWJj",true]}` {
		t.Fatal(string(out))
	}
	if _, err := MapToRequest(IntID(1), "x", map[string]any{"c": make(chan int)}); err == nil || !strings.Contains(err.Error(), `param "c"`) {
		t.Fatalf("unencodable param: %v", err)
	}
}

// FuzzRequestDecoding decodes arbitrary bodies as a request and as a batch: no panics, and
// whatever decodes re-encodes to something that decodes to the same request.
func FuzzRequestDecoding(f *testing.F) {
	for _, seed := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"status","params":{}}`,
		`[{"jsonrpc":"2.0","id":"a","method":"block","params":["5"]},{"method":"x"}]`,
		`{"id":1.5}`, `{"id":-0}`, `{"id":true}`, `{"id":"\u00e9"}`, `{"id":1e19}`, `[]`, `{"params":[1,`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var batch []RPCRequest
		_ = json.Unmarshal(body, &batch)
		var req RPCRequest
		if err := json.Unmarshal(body, &req); err != nil {
			return
		}
		out, err := json.Marshal(req)
		if err != nil {
			t.Fatalf("decoded request does not encode: %v", err)
		}
		var back RPCRequest
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("re-encoded request %s does not decode: %v", out, err)
		}
		if back.ID != req.ID || back.Method != req.Method {
			t.Fatalf("round trip changed the request: %+v → %+v", req, back)
		}
	})
}
