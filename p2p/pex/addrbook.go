package pex

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/ballot-bft/ballot/libs/log"
	"github.com/ballot-bft/ballot/p2p"
)

// Errors of AddAddress, returned wrapped with the address.
var (
	// ErrAddrBookSelf: the address is one of ours.
	ErrAddrBookSelf = errors.New("address is our own")
	// ErrAddrBookPrivate: the address's ID is private (private_peer_ids).
	ErrAddrBookPrivate = errors.New("address of a private peer")
	// ErrAddrBookPrivateSrc: the address was learned from a private peer.
	ErrAddrBookPrivateSrc = errors.New("address learned from a private peer")
	// ErrAddrBookBanned: the address's ID is banned.
	ErrAddrBookBanned = errors.New("address of a banned peer")
	// ErrAddrBookNonRoutable: the book is strict and the address is not routable.
	ErrAddrBookNonRoutable = errors.New("address is not routable")
	// ErrAddrBookInvalidAddr: the address is not valid (bad ID or IP).
	ErrAddrBookInvalidAddr = errors.New("invalid address")
)

// Book sizes and selection rules (CometBFT's).
const (
	// needAddressThreshold: below this many addresses the book asks for more.
	needAddressThreshold = 1000
	// getSelectionPercent, minGetSelection, maxGetSelection size GetSelection.
	getSelectionPercent = 23
	minGetSelection     = 32
	maxGetSelection     = 250
)

// AddrBook is the address book: peers' addresses learned through PEX, inbound peers and dials,
// kept in CometBFT's layout of new (unvetted) and old (vetted, marked good) buckets, so that
// picking addresses to dial and to gossip is random yet hard for one network to dominate. It is
// saved to addrbook.json in CometBFT's format (see Save and Run).
//
// All methods are safe for concurrent use. The book keeps one address per node ID.
type AddrBook struct {
	filePath string
	strict   bool
	logger   log.Logger

	mu         sync.Mutex
	key        string // hex of 12 random bytes: the bucket hash key
	rng        *rand.Rand
	ourAddrs   map[p2p.NetAddress]struct{}
	ourIDs     map[p2p.ID]struct{}
	privateIDs map[p2p.ID]struct{}
	lookup     map[p2p.ID]*knownAddress
	bucketsNew [newBucketCount]map[string]*knownAddress
	bucketsOld [oldBucketCount]map[string]*knownAddress
	nNew, nOld int
	badPeers   map[p2p.ID]*knownAddress
}

var _ p2p.AddrBook = (*AddrBook)(nil)

// NewAddrBook returns the book saved at filePath ("" for a book that is never saved), loading
// the file if it exists; a file that does not parse is an error. strict is addr_book_strict:
// only routable addresses are accepted. seed seeds the book's random choices.
func NewAddrBook(filePath string, strict bool, seed uint64, logger log.Logger) (*AddrBook, error) {
	b := &AddrBook{
		filePath:   filePath,
		strict:     strict,
		logger:     logger.With("module", "addrbook"),
		rng:        rand.New(rand.NewPCG(seed, seed^0x2545f4914f6cdd1d)),
		ourAddrs:   map[p2p.NetAddress]struct{}{},
		ourIDs:     map[p2p.ID]struct{}{},
		privateIDs: map[p2p.ID]struct{}{},
		lookup:     map[p2p.ID]*knownAddress{},
		badPeers:   map[p2p.ID]*knownAddress{},
	}
	for i := range b.bucketsNew {
		b.bucketsNew[i] = map[string]*knownAddress{}
	}
	for i := range b.bucketsOld {
		b.bucketsOld[i] = map[string]*knownAddress{}
	}
	b.key = newKey(b.rng)
	if filePath != "" {
		if err := b.load(filePath); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// AddOurAddress records addr as one of this node's: it and its ID are never added.
func (b *AddrBook) AddOurAddress(addr p2p.NetAddress) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.ourAddrs[addr] = struct{}{}
	if addr.ID != "" {
		b.ourIDs[addr.ID] = struct{}{}
	}
}

// OurAddress reports whether addr was recorded with AddOurAddress.
func (b *AddrBook) OurAddress(addr p2p.NetAddress) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	_, ok := b.ourAddrs[addr]
	return ok
}

// AddPrivateIDs records IDs whose addresses are neither kept nor accepted from.
func (b *AddrBook) AddPrivateIDs(ids []p2p.ID) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, id := range ids {
		b.privateIDs[id] = struct{}{}
	}
}

// AddAddress adds addr, learned from src, as a new address. An address for an ID already in the
// book is only added to one more new bucket (with falling probability, at most 4), never if the
// ID's address is old. Errors wrap the ErrAddrBook… sentinels.
func (b *AddrBook) AddAddress(addr, src p2p.NetAddress) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.addAddress(addr, src)
}

func (b *AddrBook) addAddress(addr, src p2p.NetAddress) error {
	if err := addr.Valid(); err != nil {
		return fmt.Errorf("%w %s: %v", ErrAddrBookInvalidAddr, addr, err)
	}
	if _, ok := b.ourAddrs[addr]; ok {
		return fmt.Errorf("%w: %s", ErrAddrBookSelf, addr)
	}
	if _, ok := b.ourIDs[addr.ID]; ok {
		return fmt.Errorf("%w: %s", ErrAddrBookSelf, addr)
	}
	if _, ok := b.privateIDs[addr.ID]; ok {
		return fmt.Errorf("%w: %s", ErrAddrBookPrivate, addr)
	}
	if _, ok := b.privateIDs[src.ID]; ok && src.ID != "" {
		return fmt.Errorf("%w: %s from %s", ErrAddrBookPrivateSrc, addr, src)
	}
	if bad, ok := b.badPeers[addr.ID]; ok && bad.isBanned(time.Now()) {
		return fmt.Errorf("%w: %s", ErrAddrBookBanned, addr)
	}
	if b.strict && !addr.Routable() {
		return fmt.Errorf("%w: %s", ErrAddrBookNonRoutable, addr)
	}
	ka := b.lookup[addr.ID]
	if ka != nil {
		if ka.isOld() || len(ka.Buckets) >= maxNewBucketsPerAddress {
			return nil
		}
		// The more buckets hold the ID, the less likely it goes into another.
		if b.rng.IntN(1<<len(ka.Buckets)) != 0 {
			return nil
		}
	} else {
		ka = newKnownAddress(addr, src, time.Now())
	}
	b.addToNewBucket(ka, b.calcNewBucket(ka.Addr, src))
	return nil
}

// RemoveAddress removes the address kept for addr's ID.
func (b *AddrBook) RemoveAddress(addr p2p.NetAddress) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if ka := b.lookup[addr.ID]; ka != nil {
		b.removeFromAllBuckets(ka)
	}
}

// HasAddress reports whether the book keeps addr (same ID and the same IP and port).
func (b *AddrBook) HasAddress(addr p2p.NetAddress) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	ka := b.lookup[addr.ID]
	return ka != nil && ka.Addr == addr
}

// IsGood reports whether id's address is old (was marked good).
func (b *AddrBook) IsGood(id p2p.ID) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	ka := b.lookup[id]
	return ka != nil && ka.isOld()
}

// Size returns how many addresses the book keeps.
func (b *AddrBook) Size() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.lookup)
}

// Empty reports whether the book keeps no address.
func (b *AddrBook) Empty() bool { return b.Size() == 0 }

// NeedMoreAddrs reports whether the book keeps fewer than 1000 addresses.
func (b *AddrBook) NeedMoreAddrs() bool { return b.Size() < needAddressThreshold }

// MarkGood records a successful exchange with id's peer and moves its address to an old
// bucket (making room by moving that bucket's oldest address back to a new bucket).
func (b *AddrBook) MarkGood(id p2p.ID) {
	b.mu.Lock()
	defer b.mu.Unlock()
	ka := b.lookup[id]
	if ka == nil {
		return
	}
	ka.markGood(time.Now())
	if ka.isNew() {
		b.moveToOld(ka)
	}
}

// MarkAttempt records a failed attempt to dial addr's ID.
func (b *AddrBook) MarkAttempt(addr p2p.NetAddress) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if ka := b.lookup[addr.ID]; ka != nil {
		ka.markAttempt(time.Now())
	}
}

// MarkBad bans addr's ID for banTime: its address is removed and refused until the ban ends,
// when ReinstateBadPeers puts it back.
func (b *AddrBook) MarkBad(addr p2p.NetAddress, banTime time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	ka := b.lookup[addr.ID]
	if ka != nil {
		b.removeFromAllBuckets(ka)
	} else if ka = b.badPeers[addr.ID]; ka == nil {
		ka = newKnownAddress(addr, addr, now)
	}
	ka.ban(now, banTime)
	b.badPeers[addr.ID] = ka
}

// IsBanned reports whether addr's ID is banned now.
func (b *AddrBook) IsBanned(addr p2p.NetAddress) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	ka, ok := b.badPeers[addr.ID]
	return ok && ka.isBanned(time.Now())
}

// ReinstateBadPeers puts the addresses whose ban has ended back in the book as new addresses.
func (b *AddrBook) ReinstateBadPeers() {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	for _, id := range sortedIDs(b.badPeers) {
		ka := b.badPeers[id]
		if ka.isBanned(now) {
			continue
		}
		delete(b.badPeers, id)
		if b.lookup[id] != nil || ka.Addr.Valid() != nil {
			continue
		}
		ka.BucketType, ka.Buckets = bucketTypeNew, nil
		b.addToNewBucket(ka, b.calcNewBucket(ka.Addr, ka.Src))
	}
}

// PickAddress returns a random address to dial, from a new bucket with a probability that grows
// with biasTowardsNew (a percentage, clamped to 0..100) and with the number of new addresses
// (by square root) against old ones. It reports false for an empty book.
func (b *AddrBook) PickAddress(biasTowardsNew int) (p2p.NetAddress, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.lookup) == 0 {
		return p2p.NetAddress{}, false
	}
	bias := float64(min(max(biasTowardsNew, 0), 100))
	oldWeight := math.Sqrt(float64(b.nOld)) * (100 - bias)
	newWeight := math.Sqrt(float64(b.nNew)) * bias
	pickNew := b.nOld == 0 || (b.nNew > 0 && (oldWeight+newWeight)*b.rng.Float64() < newWeight)
	var buckets []map[string]*knownAddress
	if pickNew {
		buckets = b.bucketsNew[:]
	} else {
		buckets = b.bucketsOld[:]
	}
	var nonEmpty []int
	for i, bucket := range buckets {
		if len(bucket) > 0 {
			nonEmpty = append(nonEmpty, i)
		}
	}
	if len(nonEmpty) == 0 {
		return p2p.NetAddress{}, false
	}
	bucket := buckets[nonEmpty[b.rng.IntN(len(nonEmpty))]]
	keys := sortedKeys(bucket)
	return bucket[keys[b.rng.IntN(len(keys))]].Addr, true
}

// selectionSize is how many addresses a selection holds for a book of size: 23% of it, at
// least 32 (or all if fewer), at most 250.
func selectionSize(size int) int {
	return min(maxGetSelection, max(min(minGetSelection, size), size*getSelectionPercent/100))
}

// GetSelection returns a random selection of the book's addresses for a PEX answer (see
// selectionSize), in random order.
func (b *AddrBook) GetSelection() []p2p.NetAddress {
	b.mu.Lock()
	defer b.mu.Unlock()
	all := make([]p2p.NetAddress, 0, len(b.lookup))
	for _, id := range sortedIDs(b.lookup) {
		all = append(all, b.lookup[id].Addr)
	}
	b.rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	return all[:selectionSize(len(all))]
}

// GetSelectionWithBias returns a selection as GetSelection sizes it, of which biasTowardsNew
// percent come from new addresses and the rest from old ones, filled up with new ones when old
// ones run short: the new addresses first, each part in random order.
func (b *AddrBook) GetSelectionWithBias(biasTowardsNew int) []p2p.NetAddress {
	b.mu.Lock()
	defer b.mu.Unlock()
	var fresh, vetted []p2p.NetAddress
	for _, id := range sortedIDs(b.lookup) {
		if ka := b.lookup[id]; ka.isOld() {
			vetted = append(vetted, ka.Addr)
		} else {
			fresh = append(fresh, ka.Addr)
		}
	}
	b.rng.Shuffle(len(fresh), func(i, j int) { fresh[i], fresh[j] = fresh[j], fresh[i] })
	b.rng.Shuffle(len(vetted), func(i, j int) { vetted[i], vetted[j] = vetted[j], vetted[i] })
	n := selectionSize(len(b.lookup))
	bias := min(max(biasTowardsNew, 0), 100)
	takeOld := min(n-n*bias/100, len(vetted))
	takeNew := min(n-takeOld, len(fresh))
	return append(fresh[:takeNew:takeNew], vetted[:takeOld]...)
}

func sortedIDs[V any](m map[p2p.ID]V) []p2p.ID {
	ids := make([]p2p.ID, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func sortedKeys(m map[string]*knownAddress) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
