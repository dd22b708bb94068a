package appconformance

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	cryptoproto "github.com/ballot-bft/ballot/proto/tendermint/crypto"
	typesproto "github.com/ballot-bft/ballot/proto/tendermint/types"
)

const (
	genesisValidators = 4
	genesisPower      = 100
	// maxTxBytes is what a CometBFT v0.38.26 node with default params and one validator sends
	// in PrepareProposal (abci.md §4.2).
	maxTxBytes = 22016007
	// keySpace is the number of distinct keys transactions write, small so keys are rewritten.
	keySpace = 16
	// extraValidators is the pool of non-genesis keys validator-update transactions use.
	extraValidators = 6
)

// chain is the mocked consensus side: the validator set as a node tracks it, the block
// parameters, and the seeded generator of transactions and block metadata.
type chain struct {
	rng     *rand.Rand
	seed    int64
	chainID string
	genesis time.Time
	ops     bool

	// vals is the validator set of the height being executed (pubkey → power); prev is the set
	// of the height before, which signs the last commit. updates[h] are the updates FinalizeBlock
	// returned at h; they take effect at h+2.
	vals, prev map[string]int64
	updates    map[int64][]abci.ValidatorUpdate
	genesisPub [][]byte
	extraPub   [][]byte
	nonce      uint64
}

func newChain(seed int64, ops bool) *chain {
	c := &chain{
		rng:     rand.New(rand.NewPCG(uint64(seed), 0x61707063)),
		seed:    seed,
		chainID: fmt.Sprintf("appconformance-%d", seed),
		genesis: time.Unix(1700000000+seed%100000, 0).UTC(),
		ops:     ops,
		vals:    map[string]int64{},
		updates: map[int64][]abci.ValidatorUpdate{},
	}
	for i := range genesisValidators {
		c.genesisPub = append(c.genesisPub, c.key("genesis", i))
		c.vals[string(c.genesisPub[i])] = genesisPower + int64(i)
	}
	for i := range extraValidators {
		c.extraPub = append(c.extraPub, c.key("extra", i))
	}
	c.prev = c.vals
	return c
}

// key derives a 32-byte ed25519-sized public key. Apps do not verify signatures, so any 32
// bytes are a usable key.
func (c *chain) key(kind string, i int) []byte {
	sum := sha256.Sum256(fmt.Appendf(nil, "appconformance/%d/%s/%d", c.seed, kind, i))
	return sum[:]
}

func address(pub []byte) []byte {
	sum := sha256.Sum256(pub)
	return sum[:20]
}

func pubKeyProto(pub []byte) cryptoproto.PublicKey {
	return cryptoproto.PublicKey{Sum: &cryptoproto.PublicKey_Ed25519{Ed25519: pub}}
}

// ordered returns a validator set sorted as CometBFT sorts one: power descending, then
// address ascending.
func ordered(set map[string]int64) []abci.Validator {
	out := make([]abci.Validator, 0, len(set))
	for pub, power := range set {
		out = append(out, abci.Validator{Address: address([]byte(pub)), Power: power})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Power != out[j].Power {
			return out[i].Power > out[j].Power
		}
		return bytes.Compare(out[i].Address, out[j].Address) < 0
	})
	return out
}

func (c *chain) initChain() *abci.RequestInitChain {
	req := &abci.RequestInitChain{
		Time:          c.genesis,
		ChainId:       c.chainID,
		InitialHeight: 1,
		ConsensusParams: &typesproto.ConsensusParams{
			Block:     &typesproto.BlockParams{MaxBytes: 22020096, MaxGas: -1},
			Evidence:  &typesproto.EvidenceParams{MaxAgeNumBlocks: 100000, MaxAgeDuration: 48 * time.Hour, MaxBytes: 1048576},
			Validator: &typesproto.ValidatorParams{PubKeyTypes: []string{"ed25519"}},
			Version:   &typesproto.VersionParams{},
			Abci:      &typesproto.ABCIParams{VoteExtensionsEnableHeight: 1},
		},
	}
	for _, v := range ordered(c.vals) {
		for _, pub := range c.genesisPub {
			if bytes.Equal(address(pub), v.Address) {
				req.Validators = append(req.Validators, abci.ValidatorUpdate{PubKey: pubKeyProto(pub), Power: v.Power})
			}
		}
	}
	return req
}

// advance moves the validator sets to height h: the updates returned at h-2 take effect.
func (c *chain) advance(h int64) {
	c.prev = c.vals
	next := make(map[string]int64, len(c.vals))
	for k, v := range c.vals {
		next[k] = v
	}
	for _, u := range c.updates[h-2] {
		pub := u.PubKey.GetEd25519()
		if u.Power == 0 {
			delete(next, string(pub))
		} else {
			next[string(pub)] = u.Power
		}
	}
	delete(c.updates, h-2)
	c.vals = next
}

// commitInfo is the last commit of height h: every validator of the previous height, most
// signing, a few absent (never at the initial height, which has no last commit).
func (c *chain) commitInfo(h int64) abci.CommitInfo {
	if h == 1 {
		return abci.CommitInfo{}
	}
	info := abci.CommitInfo{Round: int32(c.rng.IntN(2))}
	for _, v := range ordered(c.prev) {
		flag := typesproto.BlockIDFlagCommit
		if c.rng.IntN(10) == 0 {
			flag = typesproto.BlockIDFlagAbsent
		}
		info.Votes = append(info.Votes, abci.VoteInfo{Validator: v, BlockIdFlag: flag})
	}
	return info
}

// misbehavior returns, now and then, a duplicate vote by a genesis validator (never one that
// validator updates touch, so CometBFT's kvstore always knows it).
func (c *chain) misbehavior(h int64) []abci.Misbehavior {
	if h < 3 || c.rng.IntN(20) != 0 {
		return nil
	}
	pub := c.genesisPub[c.rng.IntN(len(c.genesisPub))]
	power, ok := c.prev[string(pub)]
	if !ok || power <= 10 {
		return nil
	}
	return []abci.Misbehavior{{
		Type:             abci.MisbehaviorType_DUPLICATE_VOTE,
		Validator:        abci.Validator{Address: address(pub), Power: power},
		Height:           h - 1,
		Time:             c.blockTime(h - 1),
		TotalVotingPower: totalPower(c.prev),
	}}
}

func totalPower(set map[string]int64) int64 {
	var t int64
	for _, p := range set {
		t += p
	}
	return t
}

func (c *chain) blockTime(h int64) time.Time { return c.genesis.Add(time.Duration(h) * time.Second) }

// digest returns a deterministic 32-byte value standing for a hash of the given parts.
func (c *chain) digest(parts ...any) []byte {
	h := sha256.New()
	_ = binary.Write(h, binary.BigEndian, c.seed)
	fmt.Fprint(h, parts...)
	return h.Sum(nil)
}

// txs generates up to max new transactions, none already in the mempool, and no validator
// update for a key that has one pending (a node rejects two updates of one key in a block).
func (c *chain) txs(max int, mp *mempool) [][]byte {
	n := c.rng.IntN(max + 1)
	var out [][]byte
	fresh := map[string]bool{}
	for len(out) < n {
		tx := c.tx()
		if mp.has(tx) || fresh[string(tx)] {
			continue
		}
		if pub, ok := validatorTxKey(tx); ok {
			if mp.valPending[pub] || fresh[pub] {
				continue
			}
			fresh[pub] = true
		}
		fresh[string(tx)] = true
		out = append(out, tx)
	}
	return out
}

func (c *chain) tx() []byte {
	key := fmt.Sprintf("k%d", c.rng.IntN(keySpace))
	value := fmt.Sprintf("v%d", c.rng.IntN(1000))
	c.nonce++
	switch r := c.rng.IntN(100); {
	case r < 50:
		return []byte(key + "=" + value)
	case r < 60:
		return []byte(key + ":" + value)
	case r < 72:
		return [][]byte{[]byte("junk" + value), []byte("=" + value), []byte(key + "=" + value + "=x"), {0x00, byte(c.nonce)}}[c.rng.IntN(4)]
	case r < 80:
		pub := c.extraPub[c.rng.IntN(len(c.extraPub))]
		return fmt.Appendf(nil, "%s%s!%d", validatorTxPrefix, base64.StdEncoding.EncodeToString(pub), c.rng.IntN(4))
	case c.ops && r < 90:
		return fmt.Appendf(nil, "get:%s:%d", key, c.nonce)
	case c.ops:
		expected := fmt.Sprintf("v%d", c.rng.IntN(1000))
		if c.rng.IntN(4) == 0 {
			expected = ""
		}
		return fmt.Appendf(nil, "cas:%s:%s:%s:%d", key, expected, value, c.nonce)
	default:
		return []byte(key + "=" + value)
	}
}

const validatorTxPrefix = "val=ed25519!"

// validatorTxKey returns the base64 key of a generated validator update transaction.
func validatorTxKey(tx []byte) (string, bool) {
	rest, ok := bytes.CutPrefix(tx, []byte(validatorTxPrefix))
	if !ok {
		return "", false
	}
	pub, _, _ := bytes.Cut(rest, []byte("!"))
	return string(pub), true
}

// keys lists every key transactions may write.
func keys() []string {
	out := make([]string, keySpace)
	for i := range out {
		out[i] = fmt.Sprintf("k%d", i)
	}
	return out
}
