package txindex

import (
	"errors"
	"fmt"
	"testing"
)

func TestParseOrder(t *testing.T) {
	cases := []struct {
		in   string
		def  Order
		want Order
		err  bool
	}{
		{"asc", OrderDesc, OrderAsc, false},
		{"desc", OrderAsc, OrderDesc, false},
		{"", OrderAsc, OrderAsc, false},
		{"", OrderDesc, OrderDesc, false},
		{"ASC", OrderAsc, OrderAsc, true},
		{"descending", OrderAsc, OrderAsc, true},
	}
	for _, c := range cases {
		got, err := ParseOrder(c.in, c.def)
		if (err != nil) != c.err || got != c.want {
			t.Errorf("ParseOrder(%q, %d) = %d, %v", c.in, c.def, got, err)
		}
		if err != nil && (!errors.Is(err, ErrInvalidOrder) || err.Error() != "expected order_by to be either `asc` or `desc` or empty") {
			t.Errorf("ParseOrder(%q) error %q", c.in, err)
		}
	}
}

// TestPages checks CometBFT's page validation: pages = max(1, ceil(total/perPage)), a nil page
// is page 1, and the error text.
func TestPages(t *testing.T) {
	page := func(p int) *int { return &p }
	cases := []struct {
		page          *int
		perPage       int
		total         int
		offset, limit int
		err           string
	}{
		{nil, 30, 0, 0, 30, ""},
		{nil, 30, 100, 0, 30, ""},
		{page(1), 30, 0, 0, 30, ""},
		{page(2), 30, 0, 0, 0, "page should be within [1, 1] range, given 2"},
		{page(4), 30, 100, 90, 30, ""},
		{page(5), 30, 100, 0, 0, "page should be within [1, 4] range, given 5"},
		{page(0), 30, 100, 0, 0, "page should be within [1, 4] range, given 0"},
		{page(-1), 30, 100, 0, 0, "page should be within [1, 4] range, given -1"},
		{page(3), 5, 15, 10, 5, ""},
		{page(1), 0, 15, 0, 0, "per_page 0 is not positive"},
	}
	for _, c := range cases {
		name := fmt.Sprintf("page %v per %d total %d", c.page, c.perPage, c.total)
		offset, limit, err := Pages(c.page, c.perPage)(c.total)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("%s: error %v, want %q", name, err, c.err)
			}
			continue
		}
		if err != nil || offset != c.offset || limit != c.limit {
			t.Errorf("%s: %d, %d, %v; want %d, %d", name, offset, limit, err, c.offset, c.limit)
		}
	}
}

func TestCut(t *testing.T) {
	fixed := func(offset, limit int) Window {
		return func(int) (int, int, error) { return offset, limit, nil }
	}
	cases := []struct {
		w        Window
		total    int
		from, to int
		err      bool
	}{
		{nil, 7, 0, 7, false},
		{fixed(2, 3), 7, 2, 5, false},
		{fixed(5, 30), 7, 5, 7, false},
		{fixed(7, 30), 7, 7, 7, false},
		{fixed(8, 1), 7, 0, 0, true},
		{fixed(-1, 1), 7, 0, 0, true},
		{fixed(0, -1), 7, 0, 0, true},
		{func(int) (int, int, error) { return 0, 0, ErrInvalidOrder }, 7, 0, 0, true},
	}
	for i, c := range cases {
		from, to, err := Cut(c.w, c.total)
		if (err != nil) != c.err || from != c.from || to != c.to {
			t.Errorf("case %d: %d, %d, %v; want %d, %d, error %v", i, from, to, err, c.from, c.to, c.err)
		}
	}
}
