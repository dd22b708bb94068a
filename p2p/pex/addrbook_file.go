package pex

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/ballot-bft/ballot/internal/atomicfile"
)

// SaveInterval is how often Run saves the book.
const SaveInterval = 2 * time.Minute

// bookFile is addrbook.json as CometBFT writes it: the bucket key and one entry per ID.
type bookFile struct {
	Key   string          `json:"key"`
	Addrs []*knownAddress `json:"addrs"`
}

// Save writes the book to its file (tab-indented JSON, mode 0644) atomically: a crash leaves the
// old or the new file. A book without a file is not saved.
func (b *AddrBook) Save() error {
	if b.filePath == "" {
		return nil
	}
	b.mu.Lock()
	doc := bookFile{Key: b.key, Addrs: make([]*knownAddress, 0, len(b.lookup))}
	for _, id := range sortedIDs(b.lookup) {
		ka := *b.lookup[id]
		ka.Buckets = append([]int(nil), ka.Buckets...)
		doc.Addrs = append(doc.Addrs, &ka)
	}
	b.mu.Unlock()
	data, err := json.MarshalIndent(doc, "", "\t")
	if err != nil {
		return fmt.Errorf("encoding address book: %w", err)
	}
	if err := atomicfile.WriteFile(b.filePath, data, 0o644); err != nil {
		return fmt.Errorf("saving address book: %w", err)
	}
	return nil
}

// Run saves the book every SaveInterval and once more when ctx ends; it returns nil then. Save
// failures are logged, not fatal.
func (b *AddrBook) Run(ctx context.Context) error {
	ticker := time.NewTicker(SaveInterval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			b.saveAndLog()
			return nil
		case <-ticker.C:
			b.saveAndLog()
		}
	}
}

func (b *AddrBook) saveAndLog() {
	if err := b.Save(); err != nil {
		b.logger.Error("Saving the address book failed", "file", b.filePath, "err", err)
	} else {
		b.logger.Debug("Saved the address book", "file", b.filePath, "size", b.Size())
	}
}

// load reads the book's file if it exists. A file that is not JSON of the right shape is an
// error; entries that are invalid (bad address, bucket type or index) are skipped.
func (b *AddrBook) load(path string) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading address book: %w", err)
	}
	if err := b.loadJSON(data); err != nil {
		return fmt.Errorf("address book %s: %w", path, err)
	}
	return nil
}

// loadJSON adds the entries of an addrbook.json document to the book (see load).
func (b *AddrBook) loadJSON(data []byte) error {
	var doc bookFile
	if err := json.Unmarshal(data, &doc); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if k, err := hex.DecodeString(doc.Key); err == nil && len(k) > 0 {
		b.key = doc.Key
	}
	skipped := 0
	for _, ka := range doc.Addrs {
		if !b.restore(ka) {
			skipped++
		}
	}
	if skipped > 0 {
		b.logger.Info("Skipped invalid address book entries", "file", b.filePath, "skipped", skipped)
	}
	return nil
}

// restore puts a loaded entry back into the buckets it lists, and reports false if the entry is
// invalid or its ID is already in the book.
func (b *AddrBook) restore(ka *knownAddress) bool {
	if ka == nil || ka.Addr.Valid() != nil || b.lookup[ka.Addr.ID] != nil || len(ka.Buckets) == 0 {
		return false
	}
	buckets := ka.Buckets
	ka.Buckets = nil
	switch ka.BucketType {
	case bucketTypeNew:
		if len(buckets) > maxNewBucketsPerAddress {
			return false
		}
		for _, idx := range buckets {
			if idx < 0 || idx >= newBucketCount {
				return false
			}
		}
		for _, idx := range buckets {
			b.addToNewBucket(ka, idx)
		}
	case bucketTypeOld:
		if len(buckets) != 1 || buckets[0] < 0 || buckets[0] >= oldBucketCount ||
			len(b.bucketsOld[buckets[0]]) >= oldBucketSize {
			return false
		}
		b.addToOldBucket(ka, buckets[0])
	default:
		return false
	}
	return true
}
