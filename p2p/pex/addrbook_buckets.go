package pex

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"time"

	"github.com/ballot-bft/ballot/p2p"
)

// Bucket layout (CometBFT's): 256 buckets of at most 64 new addresses, 64 buckets of at most 64
// old ones. New addresses are spread over 32 buckets per source group, old ones over 4 buckets
// per address group; a new address may sit in up to 4 buckets.
const (
	newBucketCount          = 256
	newBucketSize           = 64
	newBucketsPerGroup      = 32
	oldBucketCount          = 64
	oldBucketSize           = 64
	oldBucketsPerGroup      = 4
	maxNewBucketsPerAddress = 4
)

// hash64 is the book's keyed hash: the first 8 bytes of SHA-256(key ‖ parts…).
func (b *AddrBook) hash64(parts ...[]byte) uint64 {
	h := sha256.New()
	h.Write([]byte(b.key))
	for _, p := range parts {
		h.Write(p)
	}
	return binary.BigEndian.Uint64(h.Sum(nil)[:8])
}

func u64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

// calcNewBucket places a new address: which of its source group's buckets is decided by the
// address's and the source's groups, so one source cannot fill the whole table.
func (b *AddrBook) calcNewBucket(addr, src p2p.NetAddress) int {
	srcGroup := []byte(b.groupKey(src))
	inGroup := b.hash64([]byte(b.groupKey(addr)), srcGroup) % newBucketsPerGroup
	return int(b.hash64(srcGroup, u64(inGroup)) % newBucketCount)
}

// calcOldBucket places an old address by its own group and the address itself.
func (b *AddrBook) calcOldBucket(addr p2p.NetAddress) int {
	inGroup := b.hash64([]byte(addr.String())) % oldBucketsPerGroup
	return int(b.hash64([]byte(b.groupKey(addr)), u64(inGroup)) % oldBucketCount)
}

// groupKey names the network group of addr, so that addresses from one operator's networks
// compete for the same buckets: the /16 of an IPv4 address (also of the IPv4 address inside
// 6to4, Teredo and translated IPv6 addresses), the /32 of other IPv6 addresses (/36 in
// Hurricane Electric's 2001:470::/32), "tor:" and the /4 for OnionCat, and, in a strict book,
// "local" and "unroutable" for addresses that are.
func (b *AddrBook) groupKey(addr p2p.NetAddress) string {
	ip := addr.IP.Unmap()
	switch {
	case !ip.IsValid():
		return "unroutable"
	case b.strict && addr.Local():
		return "local"
	case b.strict && !addr.Routable():
		return "unroutable"
	case ip.Is4():
		return prefixString(ip, 16)
	case addr.RFC6145() || addr.RFC6052():
		raw := ip.As16()
		return prefixString(netip.AddrFrom4([4]byte(raw[12:16])), 16)
	case addr.RFC3964():
		raw := ip.As16()
		return prefixString(netip.AddrFrom4([4]byte(raw[2:6])), 16)
	case addr.RFC4380():
		raw := ip.As16()
		var v4 [4]byte
		for i := range v4 {
			v4[i] = raw[12+i] ^ 0xff
		}
		return prefixString(netip.AddrFrom4(v4), 16)
	case addr.OnionCatTor():
		raw := ip.As16()
		return fmt.Sprintf("tor:%d", raw[6]&0x0f)
	}
	bits := 32
	if netip.MustParsePrefix("2001:470::/32").Contains(ip) {
		bits = 36
	}
	return prefixString(ip, bits)
}

func prefixString(ip netip.Addr, bits int) string {
	p, err := ip.Prefix(bits)
	if err != nil {
		return "unroutable"
	}
	return p.Masked().Addr().String()
}

// newKey returns a fresh bucket hash key: the hex of 12 random bytes, as CometBFT writes it.
func newKey(rng *rand.Rand) string {
	var k [12]byte
	for i := range k {
		k[i] = byte(rng.Uint32())
	}
	return hex.EncodeToString(k[:])
}

func (b *AddrBook) bucket(bucketType byte, idx int) map[string]*knownAddress {
	if bucketType == bucketTypeOld {
		return b.bucketsOld[idx]
	}
	return b.bucketsNew[idx]
}

// addToNewBucket puts the new address ka into new bucket idx, first evicting a bad or the
// oldest address if the bucket is full. b.mu must be held.
func (b *AddrBook) addToNewBucket(ka *knownAddress, idx int) {
	if ka.isOld() {
		panic(fmt.Sprintf("pex: adding old address %s to a new bucket", ka.Addr))
	}
	key := ka.Addr.String()
	bucket := b.bucketsNew[idx]
	if _, ok := bucket[key]; ok {
		return
	}
	if len(bucket) >= newBucketSize {
		b.expireNew(idx)
	}
	bucket[key] = ka
	if ka.addBucketRef(idx) && len(ka.Buckets) == 1 {
		b.nNew++
	}
	b.lookup[ka.Addr.ID] = ka
}

// addToOldBucket puts the old address ka into old bucket idx, which must have room; it reports
// false if ka is already in a bucket. b.mu must be held.
func (b *AddrBook) addToOldBucket(ka *knownAddress, idx int) bool {
	if len(ka.Buckets) != 0 {
		return false
	}
	ka.BucketType = bucketTypeOld
	b.bucketsOld[idx][ka.Addr.String()] = ka
	ka.addBucketRef(idx)
	b.nOld++
	b.lookup[ka.Addr.ID] = ka
	return true
}

// removeFromBucket takes ka out of one bucket, forgetting it once it is in none.
func (b *AddrBook) removeFromBucket(ka *knownAddress, bucketType byte, idx int) {
	if ka.BucketType != bucketType {
		return
	}
	delete(b.bucket(bucketType, idx), ka.Addr.String())
	if ka.removeBucketRef(idx) == 0 {
		if bucketType == bucketTypeNew {
			b.nNew--
		} else {
			b.nOld--
		}
		delete(b.lookup, ka.Addr.ID)
	}
}

// removeFromAllBuckets forgets ka.
func (b *AddrBook) removeFromAllBuckets(ka *knownAddress) {
	for _, idx := range slices.Clone(ka.Buckets) {
		b.removeFromBucket(ka, ka.BucketType, idx)
	}
	delete(b.lookup, ka.Addr.ID)
}

// expireNew makes room in new bucket idx: it drops a bad address, else the oldest one.
func (b *AddrBook) expireNew(idx int) {
	bucket := b.bucketsNew[idx]
	now := time.Now()
	for _, key := range sortedKeys(bucket) {
		if ka := bucket[key]; ka.isBad(now) {
			b.removeFromBucket(ka, bucketTypeNew, idx)
			return
		}
	}
	if oldest := oldestIn(bucket); oldest != nil {
		b.removeFromBucket(oldest, bucketTypeNew, idx)
	}
}

// oldestIn returns the address of bucket last tried longest ago (ties broken by address).
func oldestIn(bucket map[string]*knownAddress) *knownAddress {
	var oldest *knownAddress
	for _, key := range sortedKeys(bucket) {
		if ka := bucket[key]; oldest == nil || ka.LastAttempt.Before(oldest.LastAttempt) {
			oldest = ka
		}
	}
	return oldest
}

// moveToOld promotes the new address ka to an old bucket; if that bucket is full, its oldest
// address goes back to a new bucket first.
func (b *AddrBook) moveToOld(ka *knownAddress) {
	for _, idx := range slices.Clone(ka.Buckets) {
		delete(b.bucketsNew[idx], ka.Addr.String())
	}
	ka.Buckets = nil
	b.nNew--
	idx := b.calcOldBucket(ka.Addr)
	if len(b.bucketsOld[idx]) >= oldBucketSize {
		demoted := oldestIn(b.bucketsOld[idx])
		b.removeFromBucket(demoted, bucketTypeOld, idx)
		demoted.BucketType = bucketTypeNew
		b.addToNewBucket(demoted, b.calcNewBucket(demoted.Addr, demoted.Src))
	}
	b.addToOldBucket(ka, idx)
}
