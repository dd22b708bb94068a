package core

import (
	"testing"
)

func ptr[T any](v T) *T { return &v }

// Height parameters follow CometBFT: nil is latest, a given one lies in [max(1, base), latest].
func TestHeightParameter(t *testing.T) {
	env := testEnv(t)
	env.BlockStore = newChain(t, 3, 5)
	for _, tc := range []struct {
		requested *int64
		want      int64
		err       string
	}{
		{nil, 5, ""},
		{ptr[int64](4), 4, ""},
		{ptr[int64](3), 3, ""},
		{ptr[int64](5), 5, ""},
		{ptr[int64](0), 0, "height must be greater than 0, but got 0"},
		{ptr[int64](-7), 0, "height must be greater than 0, but got -7"},
		{ptr[int64](6), 0, "height 6 must be less than or equal to the current blockchain height 5"},
		{ptr[int64](2), 0, "height 2 is not available, lowest height is 3"},
	} {
		got, err := env.height(tc.requested, 5)
		if errText(err) != tc.err || got != tc.want {
			t.Errorf("height(%v) = %d, %v; want %d, %q", deref(tc.requested), got, err, tc.want, tc.err)
		}
	}
}

func deref(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestPerPage(t *testing.T) {
	for _, tc := range []struct {
		requested *int
		want      int
	}{
		{nil, 30}, {ptr(0), 30}, {ptr(-5), 30}, {ptr(1), 1}, {ptr(50), 50}, {ptr(100), 100}, {ptr(101), 100}, {ptr(1 << 40), 100},
	} {
		if got := perPage(tc.requested); got != tc.want {
			t.Errorf("perPage(%v) = %d, want %d", tc.requested, got, tc.want)
		}
	}
}

func TestPageBounds(t *testing.T) {
	for _, tc := range []struct {
		page             *int
		perPage, total   int
		wantFrom, wantTo int
		err              string
	}{
		{nil, 30, 0, 0, 0, ""},
		{ptr(1), 30, 0, 0, 0, ""},
		{ptr(2), 30, 0, 0, 0, "page should be within [1, 1] range, given 2"},
		{ptr(0), 30, 5, 0, 0, "page should be within [1, 1] range, given 0"},
		{ptr(3), 30, 65, 60, 65, ""},
		{ptr(4), 30, 65, 0, 0, "page should be within [1, 3] range, given 4"},
		{nil, 1, 65, 0, 1, ""},
		{ptr(-1), 10, 100, 0, 0, "page should be within [1, 10] range, given -1"},
	} {
		from, to, err := pageBounds(tc.page, tc.perPage, tc.total)
		if errText(err) != tc.err || from != tc.wantFrom || to != tc.wantTo {
			t.Errorf("pageBounds(%v, %d, %d) = %d, %d, %v; want %d, %d, %q", tc.page, tc.perPage, tc.total, from, to, err, tc.wantFrom, tc.wantTo, tc.err)
		}
	}
}

// blockchain's range: 0 means the default, the range is clamped to the store and to the last 20
// heights ending at max.
func TestHeightRange(t *testing.T) {
	for _, tc := range []struct {
		base, height, min, max int64
		wantMin, wantMax       int64
		err                    string
	}{
		{1, 76, 0, 0, 57, 76, ""},
		{1, 76, 10, 20, 10, 20, ""},
		{1, 76, 10, 0, 57, 76, ""},
		{1, 76, 0, 100, 57, 76, ""},
		{30, 76, 1, 35, 30, 35, ""},
		{1, 5, 0, 0, 1, 5, ""},
		{1, 76, 5, 3, 0, 0, "min height 5 can't be greater than max height 3"},
		{1, 76, -1, 0, 0, 0, "heights must be non-negative"},
		{1, 76, 0, -1, 0, 0, "heights must be non-negative"},
		{0, 0, 0, 0, 0, 0, "min height 1 can't be greater than max height 0"},
	} {
		lo, hi, err := heightRange(tc.base, tc.height, tc.min, tc.max, blockchainLimit)
		if errText(err) != tc.err || lo != tc.wantMin || hi != tc.wantMax {
			t.Errorf("heightRange(base %d, height %d, %d, %d) = %d, %d, %v; want %d, %d, %q",
				tc.base, tc.height, tc.min, tc.max, lo, hi, err, tc.wantMin, tc.wantMax, tc.err)
		}
	}
}

// validators and consensus_params default to the height consensus decides, which trails the
// block store by one while the stored block executes; while syncing, to the store height.
func TestLatestUncommittedHeight(t *testing.T) {
	env := testEnv(t)
	if got := env.latestUncommittedHeight(); got != 6 {
		t.Errorf("consensus at 6, store at 5: %d, want 6", got)
	}
	env.Consensus = consensusState{rs: &RoundState{Height: 5}}
	if got := env.latestUncommittedHeight(); got != 5 {
		t.Errorf("block 5 stored but executing: %d, want 5", got)
	}
	env.Consensus = consensusState{rs: &RoundState{Height: 2}}
	if got := env.latestUncommittedHeight(); got != 6 {
		t.Errorf("stale consensus height 2, store at 5: %d, want 6", got)
	}
	env.CatchingUp = func() bool { return true }
	if got := env.latestUncommittedHeight(); got != 5 {
		t.Errorf("syncing: %d, want the store height 5", got)
	}
}
