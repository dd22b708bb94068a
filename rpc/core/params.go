package core

import (
	"fmt"

	"github.com/ballot-bft/ballot/state/txindex"
)

// Paging defaults (rpc.md §5): per_page is 30 unless given in [1, 100]; larger is 100.
const (
	defaultPerPage = 30
	maxPerPage     = 100
)

// maxQueryLength bounds subscribe and tx_search queries, in bytes.
const maxQueryLength = 512

// height resolves a height parameter against latest: nil is latest; a given height must be
// positive, at most latest and at least the block store's base.
func (env *Environment) height(requested *int64, latest int64) (int64, error) {
	if requested == nil {
		return latest, nil
	}
	h := *requested
	if h <= 0 {
		return 0, fmt.Errorf("height must be greater than 0, but got %d", h)
	}
	if h > latest {
		return 0, fmt.Errorf("height %d must be less than or equal to the current blockchain height %d", h, latest)
	}
	if base := env.BlockStore.Base(); h < base {
		return 0, fmt.Errorf("height %d is not available, lowest height is %d", h, base)
	}
	return h, nil
}

// latestUncommittedHeight is the height validators and consensus_params default to: the next
// height, or the store height while the node is syncing.
func (env *Environment) latestUncommittedHeight() int64 {
	if env.catchingUp() {
		return env.BlockStore.Height()
	}
	return env.executedHeight() + 1
}

// executedHeight is the block store's height, or one less while the last stored block is being
// executed (its results and the next height's validators and params are not stored yet). While
// the node syncs, consensus does not run and the store's height is taken as it is.
func (env *Environment) executedHeight() int64 {
	h := env.BlockStore.Height()
	if env.catchingUp() {
		return h
	}
	// Only the window where consensus still decides the stored height counts: a published
	// height further behind is stale, and the store is right.
	if env.Consensus.Height() == h {
		return h - 1
	}
	return h
}

// perPage resolves a per_page (or limit) parameter.
func perPage(requested *int) int {
	switch {
	case requested == nil || *requested < 1:
		return defaultPerPage
	case *requested > maxPerPage:
		return maxPerPage
	}
	return *requested
}

// pageBounds returns the bounds [from, to) of page page (nil: the first) of perPage items out of
// total, or CometBFT's error for a page outside [1, number of pages].
func pageBounds(page *int, perPage, total int) (from, to int, err error) {
	return txindex.Cut(txindex.Pages(page, perPage), total)
}

// heightRange resolves blockchain's minHeight and maxHeight against the store's base and height:
// 0 means the default (1, latest); the range is clamped to the store and to the last limit
// heights ending at max.
func heightRange(base, height, minHeight, maxHeight, limit int64) (int64, int64, error) {
	if minHeight < 0 || maxHeight < 0 {
		return 0, 0, fmt.Errorf("heights must be non-negative")
	}
	if minHeight == 0 {
		minHeight = 1
	}
	if maxHeight == 0 {
		maxHeight = height
	}
	maxHeight = min(maxHeight, height)
	minHeight = max(minHeight, base, maxHeight-limit+1)
	if minHeight > maxHeight {
		return 0, 0, fmt.Errorf("min height %d can't be greater than max height %d", minHeight, maxHeight)
	}
	return minHeight, maxHeight, nil
}
