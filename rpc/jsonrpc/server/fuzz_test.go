package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/ballot-bft/ballot/crypto"
	"github.com/ballot-bft/ballot/libs/log"
)

// uriArgTypes are the parameter types routes declare.
var uriArgTypes = []reflect.Type{
	reflect.TypeFor[int64](), reflect.TypeFor[*int64](), reflect.TypeFor[int](), reflect.TypeFor[uint](),
	reflect.TypeFor[int32](), reflect.TypeFor[string](), reflect.TypeFor[bool](), reflect.TypeFor[[]byte](),
	reflect.TypeFor[crypto.HexBytes](), reflect.TypeFor[[]string](), reflect.TypeFor[*string](),
}

// FuzzURIArg parses arbitrary query values as every parameter type: no panics, and a
// value that parses has the declared type.
func FuzzURIArg(f *testing.F) {
	for _, seed := range []string{`5`, `-5`, `"5"`, `0x0A`, `0X`, `0xzz`, `"abc"`, `"`, `true`, `["a"]`, `abc`, `9999999999999999999999`, `"\u00e9"`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, rt := range uriArgTypes {
			v, err := uriArg(rt, raw)
			if err == nil && v.Type() != rt {
				t.Fatalf("uriArg(%v, %q) returned a %v", rt, raw, v.Type())
			}
		}
	})
}

// FuzzJSONRPCBody posts arbitrary bodies to the JSON-RPC endpoint (through the same
// middleware Serve uses): never a panic, only the statuses of rpc.md §2, and every
// non-empty JSON response is a valid JSON-RPC envelope.
func FuzzJSONRPCBody(f *testing.F) {
	for _, seed := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"all","params":{"s":"x","i":"1","bz":"AA==","ss":["a"],"p":"2"}}`,
		`[{"jsonrpc":"2.0","id":"a","method":"echo_int","params":["5"]},{"method":"health"}]`,
		`{"id":1,"method":"echo_int","params":[5]}`, `{"id":1,"method":"block","params":{"height":null}}`,
		`{"id":true}`, `[]`, `[1,2]`, `{`, `{"id":1,"method":"echo","params":"x"}`, ``,
	} {
		f.Add([]byte(seed))
	}
	routes := testRoutes()
	delete(routes, "panic") // a recovered panic logs a stack per input: slow, and tested elsewhere
	cfg := DefaultConfig()
	cfg.MaxBodyBytes = 4096
	handler := recoverHandler(preChecks(NewHandler(routes, nil, log.NewNop()), cfg), log.NewNop())
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, httptest.NewRequest("POST", "/", bytes.NewReader(body)))
		switch rec.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusInternalServerError:
		default:
			t.Fatalf("HTTP %d for %q", rec.Code, body)
		}
		out := rec.Body.Bytes()
		if len(out) == 0 || rec.Header().Get("Content-Type") == "text/html" {
			return
		}
		var single map[string]json.RawMessage
		var batch []map[string]json.RawMessage
		if json.Unmarshal(out, &single) != nil && json.Unmarshal(out, &batch) != nil {
			t.Fatalf("response is not a JSON-RPC envelope: %s", out)
		}
	})
}

// FuzzURIQuery sends arbitrary query strings to a route with every parameter kind.
func FuzzURIQuery(f *testing.F) {
	for _, seed := range []string{"s=%22x%22&i=1&bz=0x00&ss=[%22a%22]&p=2", "i=0x1", "b=yes", "%zz", "s=&i=&p="} {
		f.Add(seed)
	}
	handler := NewHandler(testRoutes(), nil, log.NewNop())
	f.Fuzz(func(t *testing.T, query string) {
		req := httptest.NewRequest("GET", "/all", nil)
		req.URL.RawQuery = query
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK && rec.Code != http.StatusInternalServerError {
			t.Fatalf("HTTP %d for %q", rec.Code, query)
		}
	})
}
