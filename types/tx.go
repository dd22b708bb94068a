package types

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/ballot-bft/ballot/crypto"
	"github.com/ballot-bft/ballot/crypto/merkle"
	"github.com/ballot-bft/ballot/crypto/tmhash"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
)

// ErrInvalidTxProof wraps every error returned by TxProof.Validate and TxProofFromProto.
var ErrInvalidTxProof = errors.New("invalid tx proof")

// Tx is an opaque transaction, interpreted only by the application. Txs are shared read-only.
type Tx []byte

// TxKey is the fixed-size form of a transaction hash, usable as a map key (the mempool key).
type TxKey [sha256.Size]byte

// Hash returns SHA-256(tx), the transaction's hash everywhere (RPC, indexer, data hash leaves).
func (tx Tx) Hash() []byte { return tmhash.Sum(tx) }

// Key returns SHA-256(tx) as a TxKey.
func (tx Tx) Key() TxKey { return sha256.Sum256(tx) }

// String returns "Tx{hex}" for logs.
func (tx Tx) String() string { return fmt.Sprintf("Tx{%X}", []byte(tx)) }

// Txs is the ordered list of a block's transactions.
type Txs []Tx

// Hash returns the block's data hash: the Merkle root of the transactions' SHA-256 hashes (so each
// leaf is SHA-256(0x00 ‖ SHA-256(tx))). An empty list hashes to SHA-256("").
func (txs Txs) Hash() []byte {
	return merkle.HashFromByteSlices(txs.hashes())
}

func (txs Txs) hashes() [][]byte {
	out := make([][]byte, len(txs))
	for i, tx := range txs {
		out[i] = tx.Hash()
	}
	return out
}

// Index returns the position of the first transaction equal to tx, or -1.
func (txs Txs) Index(tx Tx) int {
	for i := range txs {
		if bytes.Equal(txs[i], tx) {
			return i
		}
	}
	return -1
}

// IndexByHash returns the position of the first transaction whose hash is hash, or -1.
func (txs Txs) IndexByHash(hash []byte) int {
	for i := range txs {
		if bytes.Equal(txs[i].Hash(), hash) {
			return i
		}
	}
	return -1
}

// Proof returns the proof that txs[i] is in the list whose data hash is txs.Hash(). It fails when
// i is out of range.
func (txs Txs) Proof(i int) (TxProof, error) {
	if i < 0 || i >= len(txs) {
		return TxProof{}, fmt.Errorf("tx proof: index %d out of range [0, %d)", i, len(txs))
	}
	root, proofs := merkle.ProofsFromByteSlices(txs.hashes())
	return TxProof{RootHash: root, Data: txs[i], Proof: *proofs[i]}, nil
}

// ToSliceOfBytes returns the transactions as plain byte slices (shared, not copied).
func (txs Txs) ToSliceOfBytes() [][]byte {
	out := make([][]byte, len(txs))
	for i, tx := range txs {
		out[i] = tx
	}
	return out
}

// ToTxs wraps plain byte slices as transactions (shared, not copied).
func ToTxs(raw [][]byte) Txs {
	out := make(Txs, len(raw))
	for i, tx := range raw {
		out[i] = tx
	}
	return out
}

// ComputeProtoSizeForTxs returns the size of proto(Data{txs}), the bytes the transactions add to a
// block's data field.
func ComputeProtoSizeForTxs(txs []Tx) int64 {
	data := tmproto.Data{Txs: Txs(txs).ToSliceOfBytes()}
	return int64(data.Size())
}

// TxProof proves that Data is a transaction of the block whose data hash is RootHash.
type TxProof struct {
	RootHash crypto.HexBytes `json:"root_hash"`
	Data     Tx              `json:"data"`
	Proof    merkle.Proof    `json:"proof"`
}

// Leaf returns the Merkle leaf the proof is about: the transaction's hash.
func (tp TxProof) Leaf() []byte { return tp.Data.Hash() }

// Validate checks that the proof is for dataHash and that it places the transaction under it.
func (tp TxProof) Validate(dataHash []byte) error {
	if !bytes.Equal(dataHash, tp.RootHash) {
		return fmt.Errorf("%w: root %X differs from data hash %X", ErrInvalidTxProof, tp.RootHash, dataHash)
	}
	if tp.Proof.Total <= 0 {
		return fmt.Errorf("%w: proof total %d", ErrInvalidTxProof, tp.Proof.Total)
	}
	if err := tp.Proof.Verify(tp.RootHash, tp.Leaf()); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidTxProof, err)
	}
	return nil
}

// ToProto returns the wire form of tp; it shares byte slices with tp.
func (tp TxProof) ToProto() tmproto.TxProof {
	return tmproto.TxProof{RootHash: tp.RootHash, Data: tp.Data, Proof: tp.Proof.ToProto()}
}

// TxProofFromProto converts a wire tx proof; the Merkle proof must be present and well formed.
// The result shares byte slices with pb.
func TxProofFromProto(pb tmproto.TxProof) (TxProof, error) {
	proof, err := merkle.ProofFromProto(pb.Proof)
	if err != nil {
		return TxProof{}, fmt.Errorf("%w: %w", ErrInvalidTxProof, err)
	}
	return TxProof{RootHash: pb.RootHash, Data: pb.Data, Proof: *proof}, nil
}
