package txindex

import (
	"errors"
	"fmt"
)

// Order is the order of search results by (height, index).
type Order uint8

// The orders; the zero value is ascending.
const (
	OrderAsc Order = iota
	OrderDesc
)

// ErrInvalidOrder is ParseOrder's error for anything but "asc", "desc" or "" (CometBFT's text).
var ErrInvalidOrder = errors.New("expected order_by to be either `asc` or `desc` or empty")

// ParseOrder reads an order_by parameter: "asc", "desc", or "" for def (tx_search's default is
// OrderAsc, block_search's OrderDesc).
func ParseOrder(s string, def Order) (Order, error) {
	switch s {
	case "asc":
		return OrderAsc, nil
	case "desc":
		return OrderDesc, nil
	case "":
		return def, nil
	}
	return def, ErrInvalidOrder
}

// Window chooses which of a search's ordered matches to return, given how many there are
// (total): matches[offset : min(offset+limit, total)]. It must return 0 <= offset <= total and
// limit >= 0; a non-nil error aborts the search and is returned as is.
type Window func(total int) (offset, limit int, err error)

// SearchOptions are the options of TxIndexer.Search.
type SearchOptions struct {
	Order Order
	// Window cuts the ordered matches; nil returns them all.
	Window Window
}

// Pages returns the Window of CometBFT's page/per_page paging: perPage results starting with
// page page (1-based). A nil page is the first page, which always exists even when there are no
// matches; a given page must lie in [1, N], N = max(1, ceil(total/perPage)), else the error is
// "page should be within [1, N] range, given P". perPage must be positive (the RPC layer
// clamps it first); otherwise the window fails.
func Pages(page *int, perPage int) Window {
	return func(total int) (int, int, error) {
		if perPage < 1 {
			return 0, 0, fmt.Errorf("per_page %d is not positive", perPage)
		}
		p := 1
		if page != nil {
			pages := (total + perPage - 1) / perPage
			if pages < 1 {
				pages = 1
			}
			if *page < 1 || *page > pages {
				return 0, 0, fmt.Errorf("page should be within [1, %d] range, given %d", pages, *page)
			}
			p = *page
		}
		offset := (p - 1) * perPage
		if offset > total {
			offset = total
		}
		return offset, perPage, nil
	}
}

// Cut applies w (nil: everything) to a result count and returns the bounds [from, to) to keep.
// Indexers call it; the RPC layer may call it for block_search, whose indexer returns heights
// rather than results.
func Cut(w Window, total int) (from, to int, err error) {
	if w == nil {
		return 0, total, nil
	}
	offset, limit, err := w(total)
	if err != nil {
		return 0, 0, err
	}
	if offset < 0 || offset > total || limit < 0 {
		return 0, 0, fmt.Errorf("search window [%d, +%d) does not fit %d results", offset, limit, total)
	}
	to = total
	if limit < total-offset {
		to = offset + limit
	}
	return offset, to, nil
}
