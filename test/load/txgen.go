package load

import (
	"bytes"
	"fmt"
	"math/rand/v2"
)

// Transaction layout: "<run id: 8 hex>-<sequence: 12 hex>=<padding>", exactly Size bytes. The
// kvstore app stores the padding under the key "<run id>-<sequence>"; the key makes every
// transaction of a run unique, and the run id (drawn from the seed) keeps runs apart.
const (
	runIDLen   = 8
	seqLen     = 12
	headerLen  = runIDLen + 1 + seqLen + 1 // run id, '-', sequence, '='
	minTxSize  = headerLen + 1
	maxTxSize  = 1 << 20
	maxSeq     = 1<<(4*seqLen) - 1
	padAlpha   = "abcdefghijklmnopqrstuvwxyz0123456789"
	hexDigits  = "0123456789abcdef"
	pcgStream2 = 0x62616c6c6f74 // "ballot": second PCG word, fixed so a seed alone decides a run
)

// TxGen makes a run's transactions. It is immutable after NewTxGen and safe for concurrent use.
type TxGen struct {
	runID [runIDLen]byte
	pad   []byte // Size-headerLen bytes
	size  int
}

// NewTxGen returns the generator of the run drawn from seed, making transactions of exactly
// size bytes. It fails when size is outside [minTxSize, maxTxSize].
func NewTxGen(seed int64, size int) (*TxGen, error) {
	if size < minTxSize || size > maxTxSize {
		return nil, fmt.Errorf("%w: tx size %d out of [%d, %d]", ErrConfig, size, minTxSize, maxTxSize)
	}
	rng := rand.New(rand.NewPCG(uint64(seed), pcgStream2))
	g := &TxGen{size: size, pad: make([]byte, size-headerLen)}
	for i := range g.runID {
		g.runID[i] = hexDigits[rng.IntN(16)]
	}
	for i := range g.pad {
		g.pad[i] = padAlpha[rng.IntN(len(padAlpha))]
	}
	return g, nil
}

// RunID is the 8-hex-digit prefix shared by every key of the run.
func (g *TxGen) RunID() string { return string(g.runID[:]) }

// Size is the length of every transaction.
func (g *TxGen) Size() int { return g.size }

// AppendTx appends transaction seq (0 ≤ seq ≤ 2^48-1) to dst and returns the extended slice.
// It panics on a sequence out of range: callers draw sequences from a Tracker, which never
// hands those out.
func (g *TxGen) AppendTx(dst []byte, seq int64) []byte {
	if seq < 0 || seq > maxSeq {
		panic(fmt.Sprintf("load: tx sequence %d out of range", seq))
	}
	dst = append(dst, g.runID[:]...)
	dst = append(dst, '-')
	for shift := 4 * (seqLen - 1); shift >= 0; shift -= 4 {
		dst = append(dst, hexDigits[(seq>>shift)&0xf])
	}
	dst = append(dst, '=')
	return append(dst, g.pad...)
}

// Seq returns the sequence of tx when tx is exactly one of this run's transactions, and false
// for anything else (another run's, another client's, a corrupted one).
func (g *TxGen) Seq(tx []byte) (int64, bool) {
	if len(tx) != g.size || !bytes.Equal(tx[:runIDLen], g.runID[:]) || tx[runIDLen] != '-' ||
		tx[headerLen-1] != '=' || !bytes.Equal(tx[headerLen:], g.pad) {
		return 0, false
	}
	var seq int64
	for _, c := range tx[runIDLen+1 : headerLen-1] {
		var d byte
		switch {
		case '0' <= c && c <= '9':
			d = c - '0'
		case 'a' <= c && c <= 'f':
			d = c - 'a' + 10
		default:
			return 0, false
		}
		seq = seq<<4 | int64(d)
	}
	return seq, true
}
