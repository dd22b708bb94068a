package types

import (
	"fmt"

	"github.com/ballot-bft/ballot/crypto"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
)

// Data is a block's transactions.
type Data struct {
	Txs Txs `json:"txs"`
}

// Hash returns the header's data_hash (Txs.Hash).
func (d *Data) Hash() crypto.HexBytes { return d.Txs.Hash() }

// ToProto returns the wire form; it shares the transaction bytes.
func (d *Data) ToProto() tmproto.Data {
	if len(d.Txs) == 0 {
		return tmproto.Data{}
	}
	return tmproto.Data{Txs: d.Txs.ToSliceOfBytes()}
}

// DataFromProto converts wire data; it shares the transaction bytes with pb.
func DataFromProto(pb *tmproto.Data) Data {
	if pb == nil || len(pb.Txs) == 0 {
		return Data{}
	}
	return Data{Txs: ToTxs(pb.Txs)}
}

// EvidenceData is a block's evidence (kept as a struct for the block's JSON form, which nests the
// list as {"evidence": [...]}).
type EvidenceData struct {
	Evidence EvidenceList `json:"evidence"`
}

// Hash returns the header's evidence_hash (EvidenceList.Hash).
func (d *EvidenceData) Hash() crypto.HexBytes { return d.Evidence.Hash() }

// ByteSize returns the size of the evidence's proto encoding (what counts against
// evidence.max_bytes), or an error when some evidence cannot be encoded.
func (d *EvidenceData) ByteSize() (int64, error) {
	pb, err := d.ToProto()
	if err != nil {
		return 0, err
	}
	return int64(pb.Size()), nil
}

// ToProto returns the wire form.
func (d *EvidenceData) ToProto() (*tmproto.EvidenceList, error) {
	return d.Evidence.ToProto()
}

// EvidenceDataFromProto converts a wire evidence list with EvidenceListFromProto.
func EvidenceDataFromProto(pb *tmproto.EvidenceList) (EvidenceData, error) {
	evl, err := EvidenceListFromProto(pb)
	if err != nil {
		return EvidenceData{}, fmt.Errorf("evidence: %w", err)
	}
	return EvidenceData{Evidence: evl}, nil
}
