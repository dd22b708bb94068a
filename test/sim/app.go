package sim

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"

	"github.com/ballot-bft/ballot/abci/example/kvstore"
	"github.com/ballot-bft/ballot/crypto/ed25519"
	"github.com/ballot-bft/ballot/types"
)

// errBadTx is returned by app.checkTx for a transaction the application refuses.
var errBadTx = errors.New("bad transaction")

// app is the simulated application: a key/value store of "key=value" transactions (the kvstore's
// set form) that remembers every committed transaction, so that CheckTx refuses one already in
// the chain, and that takes the kvstore's validator updates, "val=ed25519!<base64 key>!<power>"
// (power 0 removes the validator). Its hash chains the previous hash with the height and the
// transactions of every block that has any, so the hash changes exactly when a block carries
// transactions. It is durable state: it is applied atomically with the block and survives
// crashes.
type app struct {
	kv        map[string]string
	committed map[string]int64 // transaction -> height it was committed at
	hash      []byte
	height    int64
	// validators is the application's view of the validator set (public key -> power): the
	// genesis set, then its own updates. It keeps every change set valid: no removal of an
	// unknown validator, no update that would leave the set empty.
	validators map[string]int64
}

// newApp returns the application at genesis, with the genesis validators (InitChain).
func newApp(genesis []*types.Validator) *app {
	a := &app{kv: map[string]string{}, committed: map[string]int64{}, hash: make([]byte, sha256.Size), validators: map[string]int64{}}
	for _, v := range genesis {
		a.validators[string(v.PubKey.Bytes())] = v.VotingPower
	}
	return a
}

// checkTx is the mempool's admission check: a "key=value" set or a well-formed validator
// update, not yet committed.
func (a *app) checkTx(tx types.Tx) error {
	if _, _, ok := splitSet(tx); !ok {
		if _, _, err := parseValidatorTx(tx); err != nil {
			return fmt.Errorf("%w: %q: %w", errBadTx, []byte(tx), err)
		}
	}
	if h, ok := a.committed[string(tx)]; ok {
		return fmt.Errorf("%w: %q already committed at height %d", errBadTx, []byte(tx), h)
	}
	return nil
}

// apply executes the block of height with txs and returns the new app hash and the validator
// updates for the chain state (at most one per key, the block's last; in key order).
func (a *app) apply(height int64, txs types.Txs) ([]byte, []*types.Validator) {
	if height != a.height+1 {
		panic(fmt.Sprintf("sim: app at height %d asked to apply height %d", a.height, height))
	}
	a.height = height
	if len(txs) == 0 {
		return a.hash, nil
	}
	h := sha256.New()
	h.Write(a.hash)
	h.Write(binary.BigEndian.AppendUint64(nil, uint64(height)))
	changed := map[string]int64{} // key -> its power before the block (0: absent), once touched
	for _, tx := range txs {
		h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(tx))))
		h.Write(tx)
		if key, value, ok := splitSet(tx); ok {
			a.kv[key] = value
		} else if pub, power, err := parseValidatorTx(tx); err == nil {
			a.updateValidator(string(pub), power, changed)
		}
		a.committed[string(tx)] = height
	}
	a.hash = h.Sum(nil)
	return a.hash, a.validatorUpdates(changed)
}

// updateValidator applies one update to the app's set, noting the key's power before the block
// in changed, unless it would remove an unknown validator or the last one (the transaction then
// fails).
func (a *app) updateValidator(pub string, power int64, changed map[string]int64) {
	before, known := a.validators[pub]
	if power == 0 && (!known || len(a.validators) == 1) {
		return
	}
	if _, touched := changed[pub]; !touched {
		changed[pub] = before
	}
	if power == 0 {
		delete(a.validators, pub)
	} else {
		a.validators[pub] = power
	}
}

// validatorUpdates returns the change set of a block, in key order: the net change of every key
// it touched (a validator added and removed again, or set back to its power, is no change).
func (a *app) validatorUpdates(changed map[string]int64) []*types.Validator {
	var out []*types.Validator
	for _, pub := range sortedKeys(changed) {
		after := a.validators[pub]
		if after == changed[pub] {
			continue
		}
		pk := ed25519.PubKey([]byte(pub))
		out = append(out, &types.Validator{Address: pk.Address(), PubKey: pk, VotingPower: after})
	}
	return out
}

// splitSet splits a "key=value" transaction.
func splitSet(tx types.Tx) (key, value string, ok bool) {
	i := bytes.IndexByte(tx, '=')
	if i <= 0 || i == len(tx)-1 || bytes.Count(tx, []byte("=")) != 1 || bytes.HasPrefix(tx, []byte(kvstore.ValidatorPrefix)) {
		return "", "", false
	}
	return string(tx[:i]), string(tx[i+1:]), true
}

// errBadValidatorTx wraps every parse error of a validator update.
var errBadValidatorTx = errors.New("bad validator update")

// parseValidatorTx parses the kvstore's validator update "val=ed25519!<base64 key>!<power>".
func parseValidatorTx(tx types.Tx) (pub []byte, power int64, err error) {
	body, ok := bytes.CutPrefix(tx, []byte(kvstore.ValidatorPrefix))
	if !ok {
		return nil, 0, fmt.Errorf("%w: no %q prefix", errBadValidatorTx, kvstore.ValidatorPrefix)
	}
	fields := bytes.Split(body, []byte("!"))
	if len(fields) != 3 || string(fields[0]) != ed25519.KeyType {
		return nil, 0, fmt.Errorf("%w: want ed25519!<key>!<power>", errBadValidatorTx)
	}
	pub, err = base64.StdEncoding.DecodeString(string(fields[1]))
	if err != nil || len(pub) != ed25519.PubKeySize {
		return nil, 0, fmt.Errorf("%w: key %q", errBadValidatorTx, fields[1])
	}
	power, err = strconv.ParseInt(string(fields[2]), 10, 64)
	if err != nil || power < 0 || power > types.MaxTotalVotingPower {
		return nil, 0, fmt.Errorf("%w: power %q", errBadValidatorTx, fields[2])
	}
	return pub, power, nil
}

// mempool is a node's pool of pending transactions, in arrival order. It is in memory only: a
// crash empties it. seen is its cache of transactions already handled, so gossip loops end.
type mempool struct {
	txs  []types.Tx
	in   map[string]bool
	seen map[string]bool
}

func newMempool() *mempool {
	return &mempool{in: map[string]bool{}, seen: map[string]bool{}}
}

// add admits tx if it is new to the pool and the application accepts it; it reports whether tx
// was added.
func (m *mempool) add(tx types.Tx, a *app) bool {
	if m.seen[string(tx)] {
		return false
	}
	m.seen[string(tx)] = true
	if a.checkTx(tx) != nil {
		return false
	}
	m.txs = append(m.txs, tx)
	m.in[string(tx)] = true
	return true
}

// reap returns up to max transactions, oldest first, leaving them in the pool.
func (m *mempool) reap(max int) types.Txs {
	n := min(max, len(m.txs))
	return append(types.Txs(nil), m.txs[:n]...)
}

// update removes the transactions of a committed block.
func (m *mempool) update(committed types.Txs) {
	if len(committed) == 0 {
		return
	}
	gone := make(map[string]bool, len(committed))
	for _, tx := range committed {
		gone[string(tx)] = true
		m.seen[string(tx)] = true
	}
	kept := m.txs[:0]
	for _, tx := range m.txs {
		if gone[string(tx)] {
			delete(m.in, string(tx))
			continue
		}
		kept = append(kept, tx)
	}
	m.txs = kept
}

func (m *mempool) size() int { return len(m.txs) }
