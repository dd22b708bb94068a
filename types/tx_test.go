package types

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"testing"

	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
)

const emptyHashHex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

func makeTxs(n int) Txs {
	txs := make(Txs, n)
	for i := range txs {
		txs[i] = Tx(fmt.Sprintf("tx-%d=%d", i, i*i))
	}
	return txs
}

func TestTxsHash(t *testing.T) {
	if got := hex.EncodeToString(Txs(nil).Hash()); got != emptyHashHex {
		t.Fatalf("empty data hash %s", got)
	}
	// One tx: the leaf is SHA256(0x00 ‖ SHA256(tx)), and the root is that leaf.
	inner := sha256.Sum256([]byte("a"))
	leaf := sha256.Sum256(append([]byte{0}, inner[:]...))
	if got := (Txs{Tx("a")}).Hash(); !bytes.Equal(got, leaf[:]) {
		t.Fatalf("single-tx data hash %x, want %x", got, leaf)
	}
	if got, want := Tx("a").Hash(), inner[:]; !bytes.Equal(got, want) {
		t.Fatalf("tx hash %x", got)
	}
	if Tx("a").Key() != inner {
		t.Fatal("tx key differs from tx hash")
	}
}

func TestTxProofs(t *testing.T) {
	for _, n := range []int{1, 2, 3, 7, 16} {
		txs := makeTxs(n)
		root := txs.Hash()
		for i := range txs {
			proof, err := txs.Proof(i)
			if err != nil {
				t.Fatal(err)
			}
			if err := proof.Validate(root); err != nil {
				t.Fatalf("n=%d i=%d: %v", n, i, err)
			}
			// Through the wire form.
			pb := proof.ToProto()
			wire, _ := pb.Marshal()
			var back tmproto.TxProof
			if err := back.Unmarshal(wire); err != nil {
				t.Fatal(err)
			}
			decoded, err := TxProofFromProto(back)
			if err != nil || decoded.Validate(root) != nil {
				t.Fatalf("n=%d i=%d: decoded proof invalid: %v", n, i, err)
			}
			tampered := proof
			tampered.Data = append(Tx("x"), proof.Data...)
			if err := tampered.Validate(root); !errors.Is(err, ErrInvalidTxProof) {
				t.Fatalf("n=%d i=%d: tampered tx accepted: %v", n, i, err)
			}
			if err := proof.Validate(sha("other root")); !errors.Is(err, ErrInvalidTxProof) {
				t.Fatalf("n=%d i=%d: wrong root accepted", n, i)
			}
		}
		if _, err := txs.Proof(n); err == nil {
			t.Fatalf("n=%d: proof for out-of-range index", n)
		}
	}
	if _, err := TxProofFromProto(tmproto.TxProof{}); !errors.Is(err, ErrInvalidTxProof) {
		t.Fatal("proof without merkle proof accepted")
	}
}

func TestTxsIndex(t *testing.T) {
	txs := makeTxs(4)
	if txs.Index(txs[2]) != 2 || txs.Index(Tx("nope")) != -1 {
		t.Fatal("Index")
	}
	if txs.IndexByHash(txs[3].Hash()) != 3 || txs.IndexByHash(sha("nope")) != -1 {
		t.Fatal("IndexByHash")
	}
}

func TestComputeProtoSizeForTxs(t *testing.T) {
	for _, n := range []int{0, 1, 5} {
		txs := makeTxs(n)
		data := tmproto.Data{Txs: txs.ToSliceOfBytes()}
		wire, _ := data.Marshal()
		if got := ComputeProtoSizeForTxs(txs); got != int64(len(wire)) {
			t.Fatalf("n=%d: size %d, encoding has %d bytes", n, got, len(wire))
		}
	}
	if ComputeProtoSizeForTxs([]Tx{make(Tx, 200)}) != 1+2+200 {
		t.Fatal("200-byte tx: want tag + 2-byte length + 200")
	}
	if !bytes.Equal(ToTxs([][]byte{[]byte("a")})[0], []byte("a")) {
		t.Fatal("ToTxs")
	}
}
