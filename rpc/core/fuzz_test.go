package core

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/ballot-bft/ballot/libs/log"
	"github.com/ballot-bft/ballot/rpc/jsonrpc/server"
)

// Any parameters, over either HTTP transport, get an answer from every route and never make one
// panic. The handler here has no panic recovery (Serve adds it), so a panic fails the fuzzer.
func FuzzRoutes(f *testing.F) {
	env := testEnv(f)
	env.Config.TimeoutBroadcastTxCommit = 1 // ns: nothing commits transactions here
	routes, err := env.Routes()
	if err != nil {
		f.Fatal(err)
	}
	names := make([]string, 0, len(routes))
	for name := range routes {
		names = append(names, name)
	}
	slices.Sort(names)
	handler := server.NewHandler(routes, nil, log.NewNop())

	for _, seed := range []struct {
		method      byte
		params, uri string
	}{
		{0, `{}`, ``},
		{1, `{"height":"3"}`, `height=3`},
		{2, `["1","2"]`, `minHeight=-1&maxHeight=99999999999999999999`},
		{3, `{"hash":"q83v"}`, `hash=0xABCD`},
		{4, `{"tx":"YWJjPWRlZg=="}`, `tx="abc=def"`},
		{5, `{"query":"tx.height > 1","page":"0","per_page":"-3","order_by":"desc"}`, `query="tm.event='Tx'"&page=9`},
		{6, `{"evidence":{"type":"tendermint/DuplicateVoteEvidence","value":{"vote_a":null}}}`, `evidence={}`},
		{7, `{"path":"/store","data":"ABCD","height":"-1","prove":true}`, `data=0x00&height=-5`},
		{8, `{"peers":["a@b"],"persistent":true}`, `seeds=["x"]`},
		{9, `{"chunk":"18446744073709551615"}`, `chunk=-1`},
		{10, `{"limit":"-9223372036854775808"}`, `limit=9223372036854775807`},
		{11, `null`, `height=`},
	} {
		f.Add(seed.method, seed.params, seed.uri)
	}
	f.Fuzz(func(t *testing.T, method byte, params, uri string) {
		name := names[int(method)%len(names)]
		body := `{"jsonrpc":"2.0","id":1,"method":"` + name + `","params":` + params + `}`
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body)))
		if rec.Code != http.StatusOK && rec.Code != http.StatusInternalServerError {
			t.Errorf("POST %s: HTTP %d", body, rec.Code)
		}
		if _, err := url.ParseQuery(uri); err != nil {
			return
		}
		req := httptest.NewRequest(http.MethodGet, "/"+name, nil)
		req.URL.RawQuery = uri
		rec = httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK && rec.Code != http.StatusInternalServerError && rec.Code != http.StatusNotFound {
			t.Errorf("GET /%s?%s: HTTP %d", name, uri, rec.Code)
		}
	})
}
