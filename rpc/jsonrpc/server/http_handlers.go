package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"slices"
	"strings"

	"github.com/ballot-bft/ballot/libs/log"
	"github.com/ballot-bft/ballot/rpc/jsonrpc/types"
)

// NewHandler returns the whole RPC surface of rpc.md §1 for funcMap: "/<method>" URI
// routes, JSON-RPC (single and batch) and the HTML index on "/", the websocket on
// "/websocket" (when wm is not nil) and Go's plain-text 404 on every other path. Serve
// adds the limits, X-Server-Time, panic recovery and CORS around it.
func NewHandler(funcMap map[string]*RPCFunc, wm *WebsocketManager, logger log.Logger) http.Handler {
	mux := http.NewServeMux()
	RegisterRPCFuncs(mux, funcMap, logger)
	if wm != nil {
		mux.Handle("/websocket", wm)
	}
	return mux
}

// RegisterRPCFuncs adds to mux one URI route per function ("/<method>") and the JSON-RPC
// endpoint on exactly "/".
func RegisterRPCFuncs(mux *http.ServeMux, funcMap map[string]*RPCFunc, logger log.Logger) {
	for name, f := range funcMap {
		mux.Handle("/"+name, uriHandler{f: f, logger: logger})
	}
	mux.Handle("/{$}", jsonrpcHandler{funcMap: funcMap, logger: logger})
}

// uriHandler serves one route over the URI transport: parameters from the query
// string, response id -1, HTTP 500 for errors, 404 for websocket-only routes.
type uriHandler struct {
	f      *RPCFunc
	logger log.Logger
}

func (h uriHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.f.wsOnly {
		writeHTTPError(w, http.StatusNotFound, types.RPCMethodNotFoundError(uriID))
		return
	}
	args, err := h.f.httpArgs(r)
	if err != nil {
		writeHTTPError(w, http.StatusInternalServerError, types.RPCInvalidParamsError(uriID,
			fmt.Errorf("error converting http params to arguments: %w", err)))
		return
	}
	result, err := h.f.call(&types.Context{HTTPReq: r}, args)
	if err != nil {
		writeHTTPError(w, http.StatusInternalServerError, types.RPCInternalError(uriID, err))
		return
	}
	resp := types.NewRPCSuccessResponse(uriID, result)
	if resp.Error != nil { // the result did not encode
		writeHTTPError(w, http.StatusInternalServerError, resp)
		return
	}
	writeResponses(w, h.f.cacheableWith(args), resp)
}

// jsonrpcHandler serves JSON-RPC POSTs on "/" and the endpoint index for an empty body.
type jsonrpcHandler struct {
	funcMap map[string]*RPCFunc
	logger  log.Logger
}

func (h jsonrpcHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body bytes.Buffer
	if _, err := body.ReadFrom(r.Body); err != nil {
		writeHTTPError(w, http.StatusBadRequest,
			types.RPCInvalidRequestError(types.ID{}, fmt.Errorf("error reading request body: %w", err)))
		return
	}
	if body.Len() == 0 {
		writeIndex(w, r, h.funcMap)
		return
	}
	requests, err := parseRequests(body.Bytes())
	if err != nil {
		writeHTTPError(w, http.StatusInternalServerError,
			types.RPCParseError(fmt.Errorf("error unmarshaling request: %w", err)))
		return
	}

	var responses []types.RPCResponse
	cacheable := true
	for i := range requests {
		req := &requests[i]
		if req.IsNotification() {
			h.logger.Debug("JSON-RPC notification skipped (send an id to get a response)", "method", req.Method)
			continue
		}
		resp, ok := h.serveOne(r, req)
		if !ok {
			cacheable = false
		}
		responses = append(responses, resp)
	}
	if len(responses) == 0 {
		return // only notifications: 200 with an empty body
	}
	writeResponses(w, cacheable, responses...)
}

// serveOne runs one JSON-RPC request; ok reports a successful response that may be cached.
func (h jsonrpcHandler) serveOne(r *http.Request, req *types.RPCRequest) (types.RPCResponse, bool) {
	f, found := h.funcMap[req.Method]
	if !found || f.wsOnly {
		return types.RPCMethodNotFoundError(req.ID), false
	}
	args := f.zeroArgs()
	if len(req.Params) > 0 {
		var err error
		if args, err = f.jsonArgs(req.Params); err != nil {
			return types.RPCInvalidParamsError(req.ID,
				fmt.Errorf("error converting json params to arguments: %w", err)), false
		}
	}
	result, err := f.call(&types.Context{JSONReq: req, HTTPReq: r}, args)
	if err != nil {
		return types.RPCInternalError(req.ID, err), false
	}
	resp := types.NewRPCSuccessResponse(req.ID, result)
	return resp, resp.Error == nil && f.cacheableWith(args)
}

// parseRequests decodes a body holding one request object or an array of them.
func parseRequests(body []byte) ([]types.RPCRequest, error) {
	if isBatch(body) {
		var batch []types.RPCRequest
		if err := json.Unmarshal(body, &batch); err != nil {
			return nil, err
		}
		return batch, nil
	}
	var single types.RPCRequest
	if err := json.Unmarshal(body, &single); err != nil {
		return nil, err
	}
	return []types.RPCRequest{single}, nil
}

// writeIndex writes the HTML list of endpoints served for GET / without a body.
func writeIndex(w http.ResponseWriter, r *http.Request, funcMap map[string]*RPCFunc) {
	var noArgs, withArgs []string
	for name, f := range funcMap {
		if len(f.argNames) == 0 {
			noArgs = append(noArgs, name)
		} else {
			withArgs = append(withArgs, name)
		}
	}
	slices.Sort(noArgs)
	slices.Sort(withArgs)
	host := html.EscapeString(r.Host)
	var buf strings.Builder
	buf.WriteString("<html><body>")
	buf.WriteString("<br>Available endpoints:<br>")
	for _, name := range noArgs {
		fmt.Fprintf(&buf, "<a href=\"//%s/%s\">%s</a><br>", host, name, name)
	}
	buf.WriteString("<br>Endpoints that require arguments:<br>")
	for _, name := range withArgs {
		params := make([]string, len(funcMap[name].argNames))
		for i, arg := range funcMap[name].argNames {
			params[i] = arg + "=_"
		}
		link := fmt.Sprintf("//%s/%s?%s", host, name, strings.Join(params, "&amp;"))
		fmt.Fprintf(&buf, "<a href=\"%s\">%s</a></br>", link, link)
	}
	buf.WriteString("</body></html>")
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(buf.String()))
}
