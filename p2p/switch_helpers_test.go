package p2p_test

import (
	"encoding/hex"

	"github.com/ballot-bft/ballot/libs/log"
)

// rawMessage is a "message" whose encoding is its bytes, for sending what no real message
// encodes to.
type rawMessage []byte

func (m rawMessage) Reset()                   {}
func (m rawMessage) String() string           { return hex.EncodeToString(m) }
func (m rawMessage) ProtoMessage()            {}
func (m rawMessage) Marshal() ([]byte, error) { return []byte(m), nil }

func nopLogger() log.Logger { return log.NewNop() }
