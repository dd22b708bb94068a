package types

import (
	"encoding/json"
	"fmt"

	cmtjson "github.com/ballot-bft/ballot/libs/json"
)

// RPCRequest is one JSON-RPC 2.0 request. Params is the raw "params" member (an object
// keyed by parameter name or an array in parameter order), decoded per route by the
// server.
type RPCRequest struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      ID              `json:"id,omitzero"`
	Method  string          `json:"method"`
	Params  json.RawMessage `json:"params"`
}

// IsNotification reports whether the request has no id (absent or null): the server does
// not execute it and sends no response.
func (req RPCRequest) IsNotification() bool { return req.ID.IsZero() }

// String renders the request for logs.
func (req RPCRequest) String() string {
	return fmt.Sprintf("RPCRequest{%s %s %s}", req.ID, req.Method, req.Params)
}

// NewRPCRequest returns a "2.0" request.
func NewRPCRequest(id ID, method string, params json.RawMessage) RPCRequest {
	return RPCRequest{JSONRPC: "2.0", ID: id, Method: method, Params: params}
}

// MapToRequest builds a request whose params object holds each value encoded with
// libs/json (so int64s become strings, bytes base64, as the server expects).
func MapToRequest(id ID, method string, params map[string]any) (RPCRequest, error) {
	encoded := make(map[string]json.RawMessage, len(params))
	for name, value := range params {
		raw, err := cmtjson.Marshal(value)
		if err != nil {
			return RPCRequest{}, fmt.Errorf("param %q: %w", name, err)
		}
		encoded[name] = raw
	}
	payload, err := json.Marshal(encoded)
	if err != nil {
		return RPCRequest{}, err
	}
	return NewRPCRequest(id, method, payload), nil
}

// ArrayToRequest builds a request whose params array holds each value encoded with
// libs/json.
func ArrayToRequest(id ID, method string, params []any) (RPCRequest, error) {
	encoded := make([]json.RawMessage, len(params))
	for i, value := range params {
		raw, err := cmtjson.Marshal(value)
		if err != nil {
			return RPCRequest{}, fmt.Errorf("param %d: %w", i, err)
		}
		encoded[i] = raw
	}
	payload, err := json.Marshal(encoded)
	if err != nil {
		return RPCRequest{}, err
	}
	return NewRPCRequest(id, method, payload), nil
}
