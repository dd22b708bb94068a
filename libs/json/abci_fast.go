package json

import (
	"encoding/base64"
	"encoding/json"
	"strconv"

	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// The ABCI results every block carries (ExecTxResult, one per transaction) and every
// broadcast_tx answer (ResponseCheckTx) are encoded here directly, byte for byte as
// jsonpbMarshaler encodes them (abci_fast_test.go checks it against jsonpb), because jsonpb's
// reflection made it the largest cost of a websocket NewBlock subscription.

// appendTxResult appends the JSON of an ExecTxResult or a ResponseCheckTx, which share their
// fields.
func appendTxResult(b []byte, code uint32, data []byte, log, info string, gasWanted, gasUsed int64, events []abci.Event, codespace string) []byte {
	b = append(b, `{"code":`...)
	b = strconv.AppendUint(b, uint64(code), 10)
	b = append(b, `,"data":`...)
	if data == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '"')
		b = base64.StdEncoding.AppendEncode(b, data)
		b = append(b, '"')
	}
	b = append(b, `,"log":`...)
	b = appendString(b, log)
	b = append(b, `,"info":`...)
	b = appendString(b, info)
	b = append(b, `,"gas_wanted":"`...)
	b = strconv.AppendInt(b, gasWanted, 10)
	b = append(b, `","gas_used":"`...)
	b = strconv.AppendInt(b, gasUsed, 10)
	b = append(b, `","events":[`...)
	for i := range events {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"type":`...)
		b = appendString(b, events[i].Type)
		b = append(b, `,"attributes":[`...)
		for j := range events[i].Attributes {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendEventAttribute(b, &events[i].Attributes[j])
		}
		b = append(b, "]}"...)
	}
	b = append(b, `],"codespace":`...)
	b = appendString(b, codespace)
	return append(b, '}')
}

func appendEventAttribute(b []byte, a *abci.EventAttribute) []byte {
	b = append(b, `{"key":`...)
	b = appendString(b, a.Key)
	b = append(b, `,"value":`...)
	b = appendString(b, a.Value)
	b = append(b, `,"index":`...)
	b = strconv.AppendBool(b, a.Index)
	return append(b, '}')
}

// appendString appends s as encoding/json encodes a string (jsonpb uses it): printable ASCII
// other than the quote, the backslash and the HTML-escaped <, > and & is copied; anything else
// goes through encoding/json.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			quoted, _ := json.Marshal(s) // a string always encodes
			return append(b, quoted...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// marshalABCIFast encodes the ABCI types above; ok is false for any other type.
func marshalABCIFast(ptr any) (out []byte, ok bool) {
	switch v := ptr.(type) {
	case *abci.ExecTxResult:
		return appendTxResult(make([]byte, 0, 256), v.Code, v.Data, v.Log, v.Info, v.GasWanted, v.GasUsed, v.Events, v.Codespace), true
	case *abci.ResponseCheckTx:
		return appendTxResult(make([]byte, 0, 256), v.Code, v.Data, v.Log, v.Info, v.GasWanted, v.GasUsed, v.Events, v.Codespace), true
	case *abci.EventAttribute:
		return appendEventAttribute(make([]byte, 0, 64), v), true
	}
	return nil, false
}
