package pex

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ballot-bft/ballot/libs/log"
	"github.com/ballot-bft/ballot/p2p"
	"github.com/ballot-bft/ballot/p2p/p2ptest"
)

// addr returns a routable address 10+i.(i/256).x.y with node key i's ID.
func addr(i int, ip string) p2p.NetAddress {
	return p2p.NetAddress{ID: p2ptest.NodeKey(i).ID(), IP: netip.MustParseAddr(ip), Port: 26656}
}

func newBook(t *testing.T, path string, strict bool) *AddrBook {
	t.Helper()
	const seed = 7
	b, err := NewAddrBook(path, strict, seed, log.NewNop())
	if err != nil {
		t.Fatalf("NewAddrBook (seed %d): %v", seed, err)
	}
	return b
}

// checkInvariants verifies the book's counters and indexes agree with its buckets.
func checkInvariants(t *testing.T, b *AddrBook) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	seenNew, seenOld := map[p2p.ID][]int{}, map[p2p.ID][]int{}
	for i, bucket := range b.bucketsNew {
		if len(bucket) > newBucketSize {
			t.Fatalf("new bucket %d holds %d", i, len(bucket))
		}
		for key, ka := range bucket {
			if key != ka.Addr.String() || !ka.isNew() || b.lookup[ka.Addr.ID] != ka {
				t.Fatalf("new bucket %d: bad entry %s", i, key)
			}
			seenNew[ka.Addr.ID] = append(seenNew[ka.Addr.ID], i)
		}
	}
	for i, bucket := range b.bucketsOld {
		if len(bucket) > oldBucketSize {
			t.Fatalf("old bucket %d holds %d", i, len(bucket))
		}
		for key, ka := range bucket {
			if key != ka.Addr.String() || !ka.isOld() || b.lookup[ka.Addr.ID] != ka {
				t.Fatalf("old bucket %d: bad entry %s", i, key)
			}
			seenOld[ka.Addr.ID] = append(seenOld[ka.Addr.ID], i)
		}
	}
	if len(seenNew) != b.nNew || len(seenOld) != b.nOld || b.nNew+b.nOld != len(b.lookup) {
		t.Fatalf("counts: new %d/%d old %d/%d lookup %d", len(seenNew), b.nNew, len(seenOld), b.nOld, len(b.lookup))
	}
	for id, ka := range b.lookup {
		got := append(seenNew[id], seenOld[id]...)
		slices.Sort(got)
		want := slices.Sorted(slices.Values(ka.Buckets))
		if !slices.Equal(got, want) {
			t.Fatalf("%s: in buckets %v, records %v", id, got, want)
		}
	}
}

func TestAddAddressRefusals(t *testing.T) {
	b := newBook(t, "", true)
	ours := addr(0, "1.1.1.1")
	b.AddOurAddress(ours)
	b.AddPrivateIDs([]p2p.ID{p2ptest.NodeKey(1).ID()})
	src := addr(2, "2.2.2.2")
	for _, tc := range []struct {
		name      string
		addr, src p2p.NetAddress
		want      error
	}{
		{"no ID", p2p.NetAddress{IP: netip.MustParseAddr("3.3.3.3"), Port: 1}, src, ErrAddrBookInvalidAddr},
		{"unspecified IP", addr(3, "0.0.0.0"), src, ErrAddrBookInvalidAddr},
		{"our address", ours, src, ErrAddrBookSelf},
		{"our ID elsewhere", addr(0, "9.9.9.9"), src, ErrAddrBookSelf},
		{"private", addr(1, "4.4.4.4"), src, ErrAddrBookPrivate},
		{"from private", addr(4, "5.5.5.5"), addr(1, "4.4.4.4"), ErrAddrBookPrivateSrc},
		{"loopback in a strict book", addr(5, "127.0.0.1"), src, ErrAddrBookNonRoutable},
		{"private network in a strict book", addr(6, "192.168.1.1"), src, ErrAddrBookNonRoutable},
	} {
		if err := b.AddAddress(tc.addr, tc.src); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	if !b.Empty() {
		t.Fatalf("book holds %d addresses", b.Size())
	}
	if err := b.AddAddress(addr(7, "8.8.8.8"), src); err != nil {
		t.Fatal(err)
	}
	if !b.HasAddress(addr(7, "8.8.8.8")) || b.Size() != 1 {
		t.Fatal("a good address was not kept")
	}
	loose := newBook(t, "", false)
	if err := loose.AddAddress(addr(5, "127.0.0.1"), src); err != nil {
		t.Fatalf("loopback in a non-strict book: %v", err)
	}
	checkInvariants(t, b)
}

func TestOneAddressPerID(t *testing.T) {
	b := newBook(t, "", true)
	first := addr(1, "8.8.8.8")
	for i := range 50 {
		if err := b.AddAddress(first, addr(100+i, fmt.Sprintf("%d.1.1.1", 20+i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.AddAddress(addr(1, "9.9.9.9"), addr(2, "2.2.2.2")); err != nil {
		t.Fatal(err)
	}
	b.mu.Lock()
	ka := b.lookup[first.ID]
	buckets := len(ka.Buckets)
	b.mu.Unlock()
	if b.Size() != 1 || !b.HasAddress(first) || buckets < 1 || buckets > maxNewBucketsPerAddress {
		t.Fatalf("size %d, first kept %v, in %d buckets", b.Size(), b.HasAddress(first), buckets)
	}
	checkInvariants(t, b)
}

func TestOneSourceGroupFillsOneBucketAtMost(t *testing.T) {
	b := newBook(t, "", true)
	src := addr(0, "5.6.7.8")
	// 200 addresses of one /16 from one source: they all hash to the same new bucket.
	for i := range 200 {
		if err := b.AddAddress(addr(i+1, fmt.Sprintf("1.2.%d.%d", i/250, i%250+1)), src); err != nil {
			t.Fatal(err)
		}
	}
	if b.Size() != newBucketSize {
		t.Fatalf("book keeps %d addresses, want one full bucket (%d)", b.Size(), newBucketSize)
	}
	checkInvariants(t, b)
}

func TestMarkGoodMovesToOld(t *testing.T) {
	b := newBook(t, "", true)
	good, other := addr(1, "8.8.8.8"), addr(2, "9.9.9.9")
	for _, a := range []p2p.NetAddress{good, other} {
		if err := b.AddAddress(a, addr(3, "3.3.3.3")); err != nil {
			t.Fatal(err)
		}
	}
	b.MarkAttempt(good)
	b.MarkGood(good.ID)
	if !b.IsGood(good.ID) || b.IsGood(other.ID) {
		t.Fatal("MarkGood did not move exactly that address to an old bucket")
	}
	// An old address is not re-added as new.
	if err := b.AddAddress(good, addr(4, "4.4.4.4")); err != nil || !b.IsGood(good.ID) {
		t.Fatalf("re-adding a good address: %v, good %v", err, b.IsGood(good.ID))
	}
	// With no bias towards new addresses, only the old one is picked.
	for range 20 {
		if a, ok := b.PickAddress(0); !ok || a != good {
			t.Fatalf("PickAddress(0) = %v, %v; want %v", a, ok, good)
		}
	}
	for range 20 {
		if a, ok := b.PickAddress(100); !ok || a != other {
			t.Fatalf("PickAddress(100) = %v, %v; want %v", a, ok, other)
		}
	}
	checkInvariants(t, b)
}

func TestMarkBadBansThenReinstates(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newBook(t, "", true)
		bad := addr(1, "8.8.8.8")
		if err := b.AddAddress(bad, addr(2, "2.2.2.2")); err != nil {
			t.Fatal(err)
		}
		b.MarkBad(bad, time.Hour)
		if b.HasAddress(bad) || !b.IsBanned(bad) {
			t.Fatal("a bad address was kept or not banned")
		}
		if err := b.AddAddress(bad, addr(2, "2.2.2.2")); !errors.Is(err, ErrAddrBookBanned) {
			t.Fatalf("adding a banned address: %v", err)
		}
		b.ReinstateBadPeers()
		if b.HasAddress(bad) {
			t.Fatal("reinstated during the ban")
		}
		time.Sleep(time.Hour) // the bubble's clock
		if b.IsBanned(bad) {
			t.Fatal("still banned after the ban time")
		}
		b.ReinstateBadPeers()
		if !b.HasAddress(bad) {
			t.Fatal("not reinstated after the ban")
		}
		checkInvariants(t, b)
	})
}

func TestSelectionSize(t *testing.T) {
	for _, tc := range []struct{ size, want int }{
		{0, 0}, {1, 1}, {31, 31}, {32, 32}, {100, 32}, {139, 32}, {200, 46}, {1000, 230}, {2000, 250},
	} {
		if got := selectionSize(tc.size); got != tc.want {
			t.Errorf("selectionSize(%d) = %d, want %d", tc.size, got, tc.want)
		}
	}
}

func TestSelections(t *testing.T) {
	b := newBook(t, "", true)
	const n = 300
	for i := range n {
		// Distinct /16s and sources, so the buckets do not overflow.
		a := addr(i+1, fmt.Sprintf("%d.%d.1.1", 11+i/200, i%200))
		if err := b.AddAddress(a, addr(1000+i, fmt.Sprintf("%d.%d.2.2", 11+i/200, i%200))); err != nil {
			t.Fatal(err)
		}
		if i < 40 {
			b.MarkGood(a.ID)
		}
	}
	if b.Size() != n {
		t.Fatalf("size %d, want %d", b.Size(), n)
	}
	sel := b.GetSelection()
	if len(sel) != selectionSize(n) {
		t.Fatalf("selection of %d, want %d", len(sel), selectionSize(n))
	}
	seen := map[p2p.ID]bool{}
	for _, a := range sel {
		if seen[a.ID] || !b.HasAddress(a) {
			t.Fatalf("selection repeats or invents %v", a)
		}
		seen[a.ID] = true
	}
	biased := b.GetSelectionWithBias(30)
	want := selectionSize(n)
	wantOld := min(want-want*30/100, 40) // only 40 are old: new ones fill the rest
	if len(biased) != want {
		t.Fatalf("biased selection of %d, want %d", len(biased), want)
	}
	for i, a := range biased {
		if isOld := b.IsGood(a.ID); isOld != (i >= want-wantOld) {
			t.Fatalf("biased selection item %d old=%v; want %d new then %d old", i, isOld, want-wantOld, wantOld)
		}
	}
	checkInvariants(t, b)
}

func TestSaveAndLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "addrbook.json")
	b := newBook(t, path, true)
	var added []p2p.NetAddress
	for i := range 20 {
		a := addr(i+1, fmt.Sprintf("%d.9.1.1", 20+i))
		if err := b.AddAddress(a, addr(100, "3.3.3.3")); err != nil {
			t.Fatal(err)
		}
		added = append(added, a)
	}
	b.MarkGood(added[0].ID)
	b.MarkAttempt(added[1])
	if err := b.Save(); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o644 {
		t.Fatalf("saved file: %v, mode %v", err, info.Mode())
	}
	var doc map[string]any
	raw, _ := os.ReadFile(path)
	if err := json.Unmarshal(raw, &doc); err != nil || doc["key"] != b.key || len(doc["addrs"].([]any)) != 20 {
		t.Fatalf("saved JSON: %v, %v", err, doc["key"])
	}
	entry := doc["addrs"].([]any)[0].(map[string]any)
	for _, field := range []string{"addr", "src", "buckets", "attempts", "bucket_type", "last_attempt", "last_success", "last_ban_time"} {
		if _, ok := entry[field]; !ok {
			t.Errorf("saved entry lacks %q", field)
		}
	}

	loaded := newBook(t, path, true)
	if loaded.key != b.key || loaded.Size() != b.Size() {
		t.Fatalf("loaded key %s size %d; saved %s size %d", loaded.key, loaded.Size(), b.key, b.Size())
	}
	for _, a := range added {
		if !loaded.HasAddress(a) || loaded.IsGood(a.ID) != b.IsGood(a.ID) {
			t.Fatalf("%v: loaded %v good %v", a, loaded.HasAddress(a), loaded.IsGood(a.ID))
		}
	}
	if loaded.lookup[added[1].ID].Attempts != 1 {
		t.Fatal("attempts not kept")
	}
	checkInvariants(t, loaded)
	// Saving what was loaded gives the same file.
	if err := loaded.Save(); err != nil {
		t.Fatal(err)
	}
	if again, _ := os.ReadFile(path); string(again) != string(raw) {
		t.Fatal("a loaded and saved book differs from the original file")
	}
}

func TestLoadCometBFTFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "addrbook.json")
	data, err := os.ReadFile("testdata/addrbook.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	b := newBook(t, path, true)
	if b.key != "2f6f6c4f4b0a5dd1b3c5a2e1" {
		t.Fatalf("key %q", b.key)
	}
	// The unspecified-IP entry and the out-of-range bucket are skipped.
	if b.Size() != 2 {
		t.Fatalf("loaded %d addresses, want 2", b.Size())
	}
	fresh := addr(0, "95.217.10.20")
	fresh.ID = "2c4e4d1de6fbfc05d950fc7e6461be3007dd16e4"
	if !b.HasAddress(fresh) || b.IsGood(fresh.ID) || !b.IsGood("7d9b1ec512f97b772d1b625448cfec3accf14890") {
		t.Fatal("entries loaded into the wrong bucket types")
	}
	b.mu.Lock()
	ka := b.lookup[fresh.ID]
	b.mu.Unlock()
	if !slices.Equal(ka.Buckets, []int{17}) || !ka.LastAttempt.Equal(time.Date(2025, 3, 1, 10, 0, 0, 123456789, time.UTC)) {
		t.Fatalf("entry %+v", ka)
	}
	checkInvariants(t, b)
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	if b := newBook(t, filepath.Join(dir, "missing.json"), true); !b.Empty() {
		t.Fatal("a missing file gave addresses")
	}
	corrupt := filepath.Join(dir, "corrupt.json")
	if err := os.WriteFile(corrupt, []byte(`{"key": "ab", "addrs": [`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := NewAddrBook(corrupt, true, 1, log.NewNop()); err == nil {
		t.Fatal("a corrupt file loaded")
	}
}

func TestRunSavesOnStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "addrbook.json")
		b := newBook(t, path, true)
		if err := b.AddAddress(addr(1, "8.8.8.8"), addr(2, "2.2.2.2")); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- b.Run(ctx) }()
		time.Sleep(SaveInterval) // the bubble's clock: one periodic save
		synctest.Wait()
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("no periodic save: %v", err)
		}
		if err := b.AddAddress(addr(3, "9.9.9.9"), addr(2, "2.2.2.2")); err != nil {
			t.Fatal(err)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if loaded := newBook(t, path, true); loaded.Size() != 2 {
			t.Fatalf("saved on stop: %d addresses, want 2", loaded.Size())
		}
	})
}

// FuzzLoad loads arbitrary addrbook.json contents: errors are fine, panics and broken
// invariants are not.
func FuzzLoad(f *testing.F) {
	seed, err := os.ReadFile("testdata/addrbook.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`{"key":"","addrs":[{"addr":{"id":"2c4e4d1de6fbfc05d950fc7e6461be3007dd16e4","ip":"1.2.3.4","port":1},"buckets":[1,1,2],"bucket_type":1}]}`))
	f.Add([]byte(`{"addrs":[null]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := NewAddrBook("", false, 1, log.NewNop())
		if err != nil {
			t.Fatal(err)
		}
		if b.loadJSON(data) != nil {
			return
		}
		checkInvariants(t, b)
	})
}
