package json

import (
	"bytes"
	"reflect"

	"github.com/cosmos/gogoproto/jsonpb"
	"github.com/cosmos/gogoproto/proto"

	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// pointerMarshaler encodes and decodes a type whose JSON form CometBFT defines with
// pointer-receiver MarshalJSON/UnmarshalJSON methods. Like such methods, marshal is used
// only for addressable values.
type pointerMarshaler struct {
	marshal   func(ptr any) ([]byte, error)
	unmarshal func(data []byte, ptr any) error
}

// jsonpbMarshaler is CometBFT's configuration for ABCI results: every field present,
// enums as numbers, lowerCamelCase proto JSON names.
var jsonpbMarshaler = jsonpb.Marshaler{EnumsAsInts: true, EmitDefaults: true}

var jsonpbCodec = &pointerMarshaler{
	marshal: func(ptr any) ([]byte, error) {
		if out, ok := marshalABCIFast(ptr); ok {
			return out, nil
		}
		var buf bytes.Buffer
		if err := jsonpbMarshaler.Marshal(&buf, ptr.(proto.Message)); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	},
	unmarshal: func(data []byte, ptr any) error {
		return jsonpb.Unmarshal(bytes.NewReader(data), ptr.(proto.Message))
	},
}

// pointerMarshalers is fixed at init and read-only afterwards.
var pointerMarshalers = map[reflect.Type]*pointerMarshaler{
	reflect.TypeFor[abci.ResponseCheckTx](): jsonpbCodec,
	reflect.TypeFor[abci.ExecTxResult]():    jsonpbCodec,
	reflect.TypeFor[abci.ResponseQuery]():   jsonpbCodec,
	reflect.TypeFor[abci.ResponseCommit]():  jsonpbCodec,
	reflect.TypeFor[abci.EventAttribute]():  jsonpbCodec,
}

func pointerMarshalerOf(rt reflect.Type) *pointerMarshaler {
	return pointerMarshalers[rt]
}
