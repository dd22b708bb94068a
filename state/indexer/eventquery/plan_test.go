package eventquery

import (
	"math/big"
	"strings"
	"testing"

	"github.com/ballot-bft/ballot/libs/pubsub/query"
	"github.com/ballot-bft/ballot/types"
)

func plan(t *testing.T, q, heightKey string) *Plan {
	t.Helper()
	parsed, err := query.Parse(q)
	if err != nil {
		t.Fatalf("parse %q: %v", q, err)
	}
	return NewPlan(parsed.Conditions(), heightKey)
}

func condStrings(conds []query.Condition) string {
	parts := make([]string, len(conds))
	for i, c := range conds {
		parts[i] = c.String()
	}
	return strings.Join(parts, " AND ")
}

// TestPlanHeightDedup checks the rewriting of height equalities.
func TestPlanHeightDedup(t *testing.T) {
	cases := []struct {
		query           string
		conds           string
		height          int64
		heightEq        int
		onlyEq, onlyRng bool
	}{
		{"tx.height = 5", "tx.height = 5", 5, 0, true, false},
		{"tx.height = 5 AND app.k = 'v'", "app.k = 'v' AND tx.height = 5", 5, 1, false, false},
		{"tx.height = 5 AND tx.height = 6", "tx.height = 5", 5, 0, true, false},
		{"tx.height = 'abc' AND tx.height = 6", "tx.height = 6", 6, 0, true, false},
		{"tx.height = '7'", "tx.height = '7'", 7, 0, true, false},
		{"tx.height = 7.9", "tx.height = 7.9", 7, 0, true, false},
		{"tx.height = 5 AND tx.height > 3", "tx.height > 3", 0, -1, false, true},
		{"tx.height > 3 AND tx.height = 5", "tx.height > 3", 0, -1, false, true},
		{"tx.height = 5 AND tx.height EXISTS", "tx.height EXISTS", 0, -1, false, true},
		{"tx.height = 'abc'", "", 0, -1, false, true},
		{"tx.height = TIME 2020-01-01T00:00:00Z AND a.b = 1", "a.b = 1", 0, -1, false, false},
		{"block.height = 5 AND tx.height = 4", "block.height = 5 AND tx.height = 4", 4, 1, false, false},
	}
	for _, c := range cases {
		p := plan(t, c.query, types.TxHeightKey)
		if got := condStrings(p.Conditions); got != c.conds {
			t.Errorf("%s: conditions %q, want %q", c.query, got, c.conds)
		}
		if p.Height != c.height || p.HeightEq != c.heightEq || p.OnlyHeightEq != c.onlyEq || p.OnlyHeightRange != c.onlyRng {
			t.Errorf("%s: height %d eq %d onlyEq %v onlyRange %v; want %d %d %v %v", c.query,
				p.Height, p.HeightEq, p.OnlyHeightEq, p.OnlyHeightRange, c.height, c.heightEq, c.onlyEq, c.onlyRng)
		}
	}
}

// TestPlanRanges checks the per-tag merge of range conditions and the height range.
func TestPlanRanges(t *testing.T) {
	p := plan(t, "a.x > 5 AND a.y < 3 AND a.x >= 7 AND a.x > 9 AND a.y <= 2 AND b.z = 1", types.TxHeightKey)
	if len(p.Ranges) != 2 {
		t.Fatalf("%d ranges, want 2", len(p.Ranges))
	}
	x, y := p.Ranges[0], p.Ranges[1]
	if x.Tag != "a.x" || x.Lower.Text != "9" || !x.IncludeLower || x.Upper != nil {
		t.Errorf("a.x range %+v (lower %v)", x, x.Lower)
	}
	if y.Tag != "a.y" || y.Upper.Text != "2" || !y.IncludeUpper || y.Lower != nil {
		t.Errorf("a.y range %+v", y)
	}
	for i, want := range []bool{true, true, true, true, true, false} {
		if p.InRange(i) != want {
			t.Errorf("InRange(%d) = %v", i, !want)
		}
	}
	if p.InRange(-1) || p.InRange(6) {
		t.Error("InRange out of bounds")
	}
	if p.HeightRange != nil {
		t.Errorf("height range %+v without height conditions", p.HeightRange)
	}

	// Both height keys feed the height range, in either indexer; a new height tag restarts it.
	p = plan(t, "tx.height > 2 AND tx.height <= 8 AND a.b = 1", types.BlockHeightKey)
	if hr := p.HeightRange; hr == nil || hr.Lower.Text != "2" || hr.Upper.Text != "8" || hr.IncludeLower || !hr.IncludeUpper {
		t.Errorf("height range %+v", p.HeightRange)
	}
	p = plan(t, "tx.height > 2 AND block.height < 8", types.TxHeightKey)
	if hr := p.HeightRange; hr == nil || hr.Tag != "block.height" || hr.Lower != nil || hr.Upper.Text != "8" {
		t.Errorf("restarted height range %+v", p.HeightRange)
	}
}

func TestHeightOK(t *testing.T) {
	cases := []struct {
		query string
		ok    []int64
		notOK []int64
	}{
		{"a.b = 1", []int64{0, 1, 100}, nil},
		{"a.b = 1 AND tx.height = 4", []int64{4}, []int64{3, 5}},
		{"a.b = 1 AND tx.height >= 4 AND tx.height < 6", []int64{4, 5}, []int64{3, 6}},
		{"a.b = 1 AND tx.height > 4.5", []int64{5}, []int64{4}},
		{"a.b = 1 AND tx.height > DATE 2020-01-01", nil, []int64{1, 5}},
	}
	for _, c := range cases {
		p := plan(t, c.query, types.TxHeightKey)
		for _, h := range c.ok {
			if !p.HeightOK(h) {
				t.Errorf("%s: height %d rejected", c.query, h)
			}
		}
		for _, h := range c.notOK {
			if p.HeightOK(h) {
				t.Errorf("%s: height %d accepted", c.query, h)
			}
		}
	}
}

// TestRangeValues checks how stored values compare with bounds.
func TestRangeValues(t *testing.T) {
	cases := []struct {
		query string
		in    []string
		out   []string
	}{
		{"v.x > 5", []string{"6", "5.0000001", "1e3", "+7", "Inf", "99999999999999999999999"}, []string{"5", "5.0", "4.9", "-Inf", "8atom", "", " 6", "NaN", "0x10"}},
		{"v.x >= 5", []string{"5", "5.0", "05"}, []string{"4.999"}},
		{"v.x < 3", []string{"-5", "2.9", "-1e9"}, []string{"3", "abc"}},
		{"v.x > 12345678901234567890", []string{"12345678901234567891"}, []string{"12345678901234567890"}},
		{"v.x > 0.1 AND v.x < 0.3", []string{"0.2", "0.10000000000000001"}, []string{"0.1", "0.3"}},
		{"v.x > TIME 2020-01-01T00:00:00Z", nil, []string{"1", "2021-01-01T00:00:00Z"}},
		{"v.x > 1 AND v.x < DATE 2020-01-01", nil, []string{"2"}},
	}
	for _, c := range cases {
		p := plan(t, c.query, types.TxHeightKey)
		r := p.Ranges[0]
		for _, v := range c.in {
			if !r.ContainsValue(v) {
				t.Errorf("%s: %q not in range", c.query, v)
			}
		}
		for _, v := range c.out {
			if r.ContainsValue(v) {
				t.Errorf("%s: %q in range", c.query, v)
			}
		}
	}
}

func TestNumbers(t *testing.T) {
	big1 := "123456789012345678901234567890"
	f, ok := ValueNumber(big1)
	if !ok {
		t.Fatal("big integer not a number")
	}
	if i, _ := f.Int(nil); i.String() != big1 {
		t.Errorf("big integer read as %s", i)
	}
	if _, ok := OperandNumber("1.5"); !ok {
		t.Error("1.5 not a number")
	}
	third, _ := ValueNumber("0.333333333333333333333333333333333333333")
	if third.Prec() != floatPrecision {
		t.Errorf("fraction precision %d", third.Prec())
	}
	if f, ok := OperandNumber("-3"); !ok || f.Cmp(big.NewFloat(-3)) != 0 {
		t.Errorf("-3 read as %v, %v", f, ok)
	}
}

func TestReserved(t *testing.T) {
	if err := CheckReserved("tx.height", types.TxHashKey, types.TxHeightKey); err == nil ||
		err.Error() != `event type and attribute key "tx.height" is reserved; please use a different key` {
		t.Errorf("CheckReserved: %v", err)
	}
	if err := CheckReserved("tx.heights", types.TxHashKey, types.TxHeightKey); err != nil {
		t.Errorf("CheckReserved(tx.heights): %v", err)
	}
	if got := CompositeKey("transfer", "sender"); got != "transfer.sender" {
		t.Errorf("CompositeKey = %q", got)
	}
}
