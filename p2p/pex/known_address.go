package pex

import (
	"slices"
	"time"

	"github.com/ballot-bft/ballot/p2p"
)

// Bucket types as addrbook.json writes them.
const (
	bucketTypeNew byte = 0x01
	bucketTypeOld byte = 0x02
)

// knownAddress is what the book knows of one peer. Its JSON form is an entry of CometBFT's
// addrbook.json "addrs" list.
type knownAddress struct {
	Addr        p2p.NetAddress `json:"addr"`
	Src         p2p.NetAddress `json:"src"`
	Buckets     []int          `json:"buckets"`
	Attempts    int32          `json:"attempts"`
	BucketType  byte           `json:"bucket_type"`
	LastAttempt time.Time      `json:"last_attempt"`
	LastSuccess time.Time      `json:"last_success"`
	LastBanTime time.Time      `json:"last_ban_time"`
}

func newKnownAddress(addr, src p2p.NetAddress, now time.Time) *knownAddress {
	return &knownAddress{Addr: addr, Src: src, BucketType: bucketTypeNew, LastAttempt: now}
}

func (ka *knownAddress) isOld() bool { return ka.BucketType == bucketTypeOld }
func (ka *knownAddress) isNew() bool { return ka.BucketType == bucketTypeNew }

func (ka *knownAddress) markAttempt(now time.Time) {
	ka.LastAttempt = now
	ka.Attempts++
}

func (ka *knownAddress) markGood(now time.Time) {
	ka.LastAttempt = now
	ka.LastSuccess = now
	ka.Attempts = 0
}

func (ka *knownAddress) ban(now time.Time, d time.Duration) {
	if until := now.Add(d); ka.LastBanTime.Before(until) {
		ka.LastBanTime = until
	}
}

func (ka *knownAddress) isBanned(now time.Time) bool { return ka.LastBanTime.After(now) }

// addBucketRef records that the address is in bucket idx; it reports false if it already was.
func (ka *knownAddress) addBucketRef(idx int) bool {
	if slices.Contains(ka.Buckets, idx) {
		return false
	}
	ka.Buckets = append(ka.Buckets, idx)
	return true
}

// removeBucketRef forgets bucket idx and returns how many buckets remain.
func (ka *knownAddress) removeBucketRef(idx int) int {
	ka.Buckets = slices.DeleteFunc(ka.Buckets, func(b int) bool { return b == idx })
	return len(ka.Buckets)
}

// Badness thresholds: a new address is bad (first to go when its bucket is full) if it has not
// been tried within the last minute and it was last tried over a week ago, or failed
// numRetries times without ever succeeding, or failed maxFailures times without a success in
// the last week. Old addresses are never bad.
const (
	recentAttempt = time.Minute
	missingAfter  = 7 * 24 * time.Hour
	numRetries    = 3
	maxFailures   = 10
	badAfter      = 7 * 24 * time.Hour
)

func (ka *knownAddress) isBad(now time.Time) bool {
	switch {
	case ka.isOld():
		return false
	case ka.LastAttempt.After(now.Add(-recentAttempt)):
		return false
	case ka.LastAttempt.Before(now.Add(-missingAfter)):
		return true
	case ka.LastSuccess.IsZero() && ka.Attempts >= numRetries:
		return true
	case ka.LastSuccess.Before(now.Add(-badAfter)) && ka.Attempts >= maxFailures:
		return true
	}
	return false
}
