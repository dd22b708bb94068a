package json

import (
	"time"

	"github.com/ballot-bft/ballot/crypto"
)

// Types shared by the tests of this package.

type height int64 // a named int64, written as a string

type step uint8 // a named small integer (an enum), written as a number

type blockIDFlag int32

// event is a registered interface implementation with a value registration.
type event interface{ isEvent() }

type newRound struct {
	Height int64  `json:"height"`
	Round  int32  `json:"round"`
	Step   string `json:"step"`
}

func (newRound) isEvent() {}

// pointerEvent is registered as a pointer: it implements event only via *pointerEvent.
type pointerEvent struct {
	Vote string `json:"vote"`
}

func (*pointerEvent) isEvent() {}

// unregisteredEvent is never registered.
type unregisteredEvent struct{}

func (unregisteredEvent) isEvent() {}

func init() {
	RegisterType(newRound{}, "test/NewRound")
	RegisterType(&pointerEvent{}, "test/PointerEvent")
}

// TxResult has no tags on its embedded struct, like CometBFT's EventDataTx.
type txResultInner struct {
	Height int64  `json:"height"`
	Index  uint32 `json:"index,omitempty"`
	Tx     []byte `json:"tx"`
}

type TxResult = txResultInner

type eventDataTx struct {
	TxResult
}

// monitor has no tags at all, like flowrate.Status in net_info.
type monitor struct {
	Bytes    int64
	Progress int32
	Active   bool
	hidden   int // unexported fields are never written
}

// ptrMarshaler has a pointer-receiver MarshalJSON: only used when addressable.
type ptrMarshaler struct{ N int }

func (p *ptrMarshaler) MarshalJSON() ([]byte, error) { return []byte(`"custom"`), nil }

// everything has one field of each kind the fuzzer and round-trip tests exercise.
type everything struct {
	I64    int64             `json:"i64"`
	U64    uint64            `json:"u64"`
	I      int               `json:"i"`
	U      uint              `json:"u"`
	H      height            `json:"h"`
	I32    int32             `json:"i32"`
	U8     uint8             `json:"u8"`
	Step   step              `json:"step"`
	F      float64           `json:"f"`
	B      bool              `json:"b"`
	S      string            `json:"s"`
	Bytes  []byte            `json:"bytes"`
	Arr    [4]byte           `json:"arr"`
	Hex    crypto.HexBytes   `json:"hex"`
	Ptr    *int64            `json:"ptr"`
	T      time.Time         `json:"t"`
	List   []int64           `json:"list"`
	Map    map[string]string `json:"map"`
	Ev     event             `json:"ev"`
	Evs    []event           `json:"evs"`
	Key    crypto.PubKey     `json:"key"`
	Nested *everything       `json:"nested,omitempty"`
	Omit   string            `json:"omit,omitempty"`
}
