package types

import (
	"encoding/json"
	"fmt"

	cmtjson "github.com/ballot-bft/ballot/libs/json"
)

// JSON-RPC error codes used by the server (rpc.md §2).
const (
	CodeParseError     = -32700 // body is not valid JSON
	CodeInvalidRequest = -32600 // body unreadable or too large; batch too large
	CodeMethodNotFound = -32601 // unknown method, or a websocket-only method over HTTP
	CodeInvalidParams  = -32602 // params not convertible (HTTP transports)
	CodeInternalError  = -32603 // every handler error; panics; params over websocket
	CodeServerError    = -32000 // a websocket subscription was canceled
)

// RPCError is the "error" member of a response. Data is omitted when empty.
type RPCError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    string `json:"data,omitempty"`
}

// Error renders "RPC error <code> - <message>[: <data>]".
func (e RPCError) Error() string {
	if e.Data != "" {
		return fmt.Sprintf("RPC error %d - %s: %s", e.Code, e.Message, e.Data)
	}
	return fmt.Sprintf("RPC error %d - %s", e.Code, e.Message)
}

// RPCResponse is one JSON-RPC 2.0 response: Result (already-encoded JSON) on success,
// Error otherwise. The id is omitted when absent (parse errors, oversized bodies) and the
// result when nil.
type RPCResponse struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      ID              `json:"id,omitzero"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *RPCError       `json:"error,omitempty"`
}

// String renders the response for logs.
func (resp RPCResponse) String() string {
	if resp.Error != nil {
		return fmt.Sprintf("RPCResponse{%s %v}", resp.ID, resp.Error)
	}
	return fmt.Sprintf("RPCResponse{%s %s}", resp.ID, resp.Result)
}

// NewRPCSuccessResponse encodes result with libs/json. A nil result leaves Result empty
// (the member is omitted). If result cannot be encoded the response is an internal error
// ("error marshaling response: …") instead.
func NewRPCSuccessResponse(id ID, result any) RPCResponse {
	var raw json.RawMessage
	if result != nil {
		encoded, err := cmtjson.Marshal(result)
		if err != nil {
			return RPCInternalError(id, fmt.Errorf("error marshaling response: %w", err))
		}
		raw = encoded
	}
	return RPCResponse{JSONRPC: "2.0", ID: id, Result: raw}
}

// NewRPCErrorResponse returns an error response.
func NewRPCErrorResponse(id ID, code int, message, data string) RPCResponse {
	return RPCResponse{JSONRPC: "2.0", ID: id, Error: &RPCError{Code: code, Message: message, Data: data}}
}

// RPCParseError is -32700 "Parse error. Invalid JSON" without an id; data is err's text.
func RPCParseError(err error) RPCResponse {
	return NewRPCErrorResponse(ID{}, CodeParseError, "Parse error. Invalid JSON", err.Error())
}

// RPCInvalidRequestError is -32600 "Invalid Request"; data is err's text.
func RPCInvalidRequestError(id ID, err error) RPCResponse {
	return NewRPCErrorResponse(id, CodeInvalidRequest, "Invalid Request", err.Error())
}

// RPCMethodNotFoundError is -32601 "Method not found", without data.
func RPCMethodNotFoundError(id ID) RPCResponse {
	return NewRPCErrorResponse(id, CodeMethodNotFound, "Method not found", "")
}

// RPCInvalidParamsError is -32602 "Invalid params"; data is err's text.
func RPCInvalidParamsError(id ID, err error) RPCResponse {
	return NewRPCErrorResponse(id, CodeInvalidParams, "Invalid params", err.Error())
}

// RPCInternalError is -32603 "Internal error"; data is err's text.
func RPCInternalError(id ID, err error) RPCResponse {
	return NewRPCErrorResponse(id, CodeInternalError, "Internal error", err.Error())
}

// RPCServerError is -32000 "Server error"; data is err's text.
func RPCServerError(id ID, err error) RPCResponse {
	return NewRPCErrorResponse(id, CodeServerError, "Server error", err.Error())
}
