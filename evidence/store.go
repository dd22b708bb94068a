package evidence

import (
	"bytes"
	"fmt"

	gogotypes "github.com/cosmos/gogoproto/types"

	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
	"github.com/ballot-bft/ballot/types"
)

// Key prefixes of evidence.db (CometBFT v0.38).
const (
	prefixCommitted = byte(0x00)
	prefixPending   = byte(0x01)
)

// keySuffix is "%016X/%X" of the evidence height and hash: big-endian hex heights make keys
// sort oldest first.
func keySuffix(ev types.Evidence) []byte {
	return fmt.Appendf(nil, "%0.16X/%X", ev.Height(), ev.Hash())
}

func pendingKey(ev types.Evidence) []byte {
	return append([]byte{prefixPending}, keySuffix(ev)...)
}

func committedKey(ev types.Evidence) []byte {
	return append([]byte{prefixCommitted}, keySuffix(ev)...)
}

// encodeEvidence returns the stored form of pending evidence: proto(tendermint.types.Evidence).
func encodeEvidence(ev types.Evidence) ([]byte, error) {
	pb, err := types.EvidenceToProto(ev)
	if err != nil {
		return nil, err
	}
	return pb.Marshal()
}

// decodePending decodes a pending record and checks that it sits under its own key. Errors
// wrap ErrCorrupted.
func decodePending(key, value []byte) (types.Evidence, error) {
	var pb tmproto.Evidence
	if err := pb.Unmarshal(value); err != nil {
		return nil, fmt.Errorf("%w: pending evidence %q: %w", ErrCorrupted, key, err)
	}
	ev, err := types.EvidenceFromProto(&pb)
	if err != nil {
		return nil, fmt.Errorf("%w: pending evidence %q: %w", ErrCorrupted, key, err)
	}
	if want := pendingKey(ev); !bytes.Equal(key, want) {
		return nil, fmt.Errorf("%w: pending evidence stored under %q, belongs under %q", ErrCorrupted, key, want)
	}
	return ev, nil
}

// encodeCommitted returns the value of a committed marker: proto(Int64Value) of the height of
// the block that committed the evidence.
func encodeCommitted(height int64) ([]byte, error) {
	return (&gogotypes.Int64Value{Value: height}).Marshal()
}

// listSize returns the bytes ev adds to proto(tendermint.types.EvidenceList): the field tag,
// the length prefix and proto(Evidence). The sum over a list is EvidenceData.ByteSize.
func listSize(ev types.Evidence) (int64, error) {
	pb, err := types.EvidenceToProto(ev)
	if err != nil {
		return 0, err
	}
	list := tmproto.EvidenceList{Evidence: []tmproto.Evidence{*pb}}
	return int64(list.Size()), nil
}
