// Package json is CometBFT's JSON encoding (the "cmtjson" rules), used for RPC results,
// event payloads, genesis and key files. It differs from encoding/json in ways that a
// drop-in node must reproduce byte for byte:
//
//   - int64, uint64, int and uint (and named types of those kinds) are decimal strings,
//     and the decoder accepts nothing else for them: "height":"15". Smaller integers,
//     floats and bools are plain JSON values.
//   - []byte (and byte arrays) are standard base64 with padding; a nil slice is null.
//     Types with their own MarshalJSON (crypto.HexBytes: uppercase hex) use it.
//   - time.Time is RFC 3339 in UTC with trailing fractional zeros removed; the decoder
//     accepts only strings ending in 'Z'.
//   - nil slices and nil pointers are null, empty slices [], nil maps {}.
//   - Struct fields use their json tag name or else the Go field name; omitempty omits a
//     field whose value is the zero value of its type (reflect's IsZero: an empty non-nil
//     slice is not omitted, a zero struct is). Embedded structs are NOT flattened: an
//     anonymous field is keyed by its type name. Unexported fields are skipped.
//   - A value in an interface is written as {"type":"<registered name>","value":<value>}
//     when its concrete type was registered with RegisterType; an unregistered concrete
//     type in an interface is an error. A registered value passed directly to Marshal is
//     wrapped too, and Unmarshal into a registered type expects the wrapper.
//   - Map keys must be strings; keys are written in sorted order.
//   - A value whose type (or, when the value is addressable, whose pointer type)
//     implements encoding/json.Marshaler is written by its MarshalJSON; decoding calls
//     UnmarshalJSON likewise. The ABCI results that CometBFT writes with gogo jsonpb
//     (ResponseCheckTx, ExecTxResult, ResponseQuery, ResponseCommit, EventAttribute) are
//     written that way here too — every field present, lowerCamelCase proto names — and,
//     as in CometBFT, only when the value is reached through a pointer or is otherwise
//     addressable (inside an interface it is encoded generically, omitting zero fields).
//
// Registered names of the key types (ed25519 and secp256k1 public and private keys) and
// of the protobuf PublicKey oneof wrappers are registered by this package; other packages
// register their own types (evidence, event data) from init functions.
//
// Marshal, MarshalIndent and Unmarshal are safe for concurrent use. RegisterType is meant
// for init functions.
package json
