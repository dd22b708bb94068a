package privval

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
)

// The same-HRS rule needs to know whether two sign bytes differ only in
// their timestamp. Consensus re-signs a message after a restart with a new
// timestamp; handing back the stored signature (and the stored timestamp)
// keeps the validator from producing two different signed messages for one
// height, round and step.

// unmarshaler is a generated protobuf message.
type unmarshaler interface {
	Unmarshal([]byte) error
}

// decodeDelimited decodes length-delimited sign bytes into msg. The length
// prefix must cover exactly the rest of b.
func decodeDelimited(b []byte, msg unmarshaler) error {
	n, k := binary.Uvarint(b)
	if k <= 0 {
		return errors.New("bad length prefix")
	}
	if uint64(len(b)-k) != n {
		return fmt.Errorf("length prefix %d does not match the %d bytes that follow", n, len(b)-k)
	}
	return msg.Unmarshal(b[k:])
}

// voteTimestampOnlyDiff reports whether the vote sign bytes stored and fresh
// are equal once their timestamps are made equal, and returns the timestamp
// in stored. Undecodable input yields false.
func voteTimestampOnlyDiff(stored, fresh []byte) (time.Time, bool) {
	var last, next tmproto.CanonicalVote
	if decodeDelimited(stored, &last) != nil || decodeDelimited(fresh, &next) != nil {
		return time.Time{}, false
	}
	storedTime := last.Timestamp
	next.Timestamp = storedTime
	return storedTime, sameEncoding(&last, &next)
}

// proposalTimestampOnlyDiff is voteTimestampOnlyDiff for proposal sign
// bytes.
func proposalTimestampOnlyDiff(stored, fresh []byte) (time.Time, bool) {
	var last, next tmproto.CanonicalProposal
	if decodeDelimited(stored, &last) != nil || decodeDelimited(fresh, &next) != nil {
		return time.Time{}, false
	}
	storedTime := last.Timestamp
	next.Timestamp = storedTime
	return storedTime, sameEncoding(&last, &next)
}

type marshaler interface {
	Marshal() ([]byte, error)
}

// sameEncoding reports whether a and b encode to the same bytes.
func sameEncoding(a, b marshaler) bool {
	ab, errA := a.Marshal()
	bb, errB := b.Marshal()
	return errA == nil && errB == nil && bytes.Equal(ab, bb)
}

// checkSignBytesHRS checks that signBytes encode a message of the kind step
// at height and round: a CanonicalProposal for StepPropose, a prevote or
// precommit CanonicalVote otherwise.
func checkSignBytesHRS(signBytes []byte, height int64, round int32, step Step) error {
	var (
		gotType   tmproto.SignedMsgType
		gotHeight int64
		gotRound  int64
	)
	switch step {
	case StepPropose:
		var p tmproto.CanonicalProposal
		if err := decodeDelimited(signBytes, &p); err != nil {
			return fmt.Errorf("signbytes are not a length-delimited canonical proposal: %w", err)
		}
		gotType, gotHeight, gotRound = p.Type, p.Height, p.Round
	case StepPrevote, StepPrecommit:
		var v tmproto.CanonicalVote
		if err := decodeDelimited(signBytes, &v); err != nil {
			return fmt.Errorf("signbytes are not a length-delimited canonical vote: %w", err)
		}
		gotType, gotHeight, gotRound = v.Type, v.Height, v.Round
	default:
		return fmt.Errorf("signbytes present with step %v", step)
	}
	wantType := map[Step]tmproto.SignedMsgType{
		StepPropose:   tmproto.ProposalType,
		StepPrevote:   tmproto.PrevoteType,
		StepPrecommit: tmproto.PrecommitType,
	}[step]
	if gotType != wantType || gotHeight != height || gotRound != int64(round) {
		return fmt.Errorf("signbytes encode a %v at height %d round %d, but the state says %v at height %d round %d",
			gotType, gotHeight, gotRound, step, height, round)
	}
	return nil
}
