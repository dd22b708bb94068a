package types

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/ballot-bft/ballot/crypto/ed25519"
)

// rawValidator is a validator without a key, addressed by arbitrary bytes (as CometBFT's
// proposer tests do). Such validators are fine for priorities, not for hashing or ValidateBasic.
func rawValidator(address string, power int64) *Validator {
	return &Validator{Address: []byte(address), VotingPower: power}
}

// secretValidator returns the validator of ed25519.GenPrivKeyFromSecret(secret).
func secretValidator(secret string, power int64) *Validator {
	return NewValidator(ed25519.GenPrivKeyFromSecret([]byte(secret)).PubKey(), power)
}

func mustValidatorSet(t testing.TB, vals ...*Validator) *ValidatorSet {
	t.Helper()
	set, err := NewValidatorSet(vals)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func TestProposerSelectionWorkedExample(t *testing.T) {
	type state struct {
		Proposer   string           `json:"proposer"`
		Order      []string         `json:"order"`
		Priorities map[string]int64 `json:"priorities"`
	}
	var vec struct {
		Validators []struct {
			Name          string `json:"name"`
			AddressPrefix string `json:"address_prefix"`
			Power         int64  `json:"power"`
		} `json:"validators"`
		Extra []struct {
			Name          string `json:"name"`
			AddressPrefix string `json:"address_prefix"`
			Power         int64  `json:"power"`
		} `json:"extra_validators"`
		AfterNew   state `json:"after_new"`
		Increments []struct {
			Times int32 `json:"times"`
			state
		} `json:"increments_from_new"`
		Update struct {
			BaseTimes      int32            `json:"base_times"`
			Changes        map[string]int64 `json:"changes"`
			AfterUpdate    state            `json:"after_update"`
			AfterIncrement state            `json:"after_increment"`
		} `json:"update"`
	}
	raw, err := os.ReadFile("testdata/proposer_worked_example.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &vec); err != nil {
		t.Fatal(err)
	}

	names := map[string]string{} // address → name
	var vals []*Validator
	for _, v := range append(vec.Validators, vec.Extra...) {
		val := secretValidator(v.Name, v.Power)
		if got := hex.EncodeToString(val.Address); !strings.HasPrefix(got, v.AddressPrefix) {
			t.Fatalf("address of %q = %s, want prefix %s", v.Name, got, v.AddressPrefix)
		}
		names[string(val.Address)] = v.Name
		if len(vals) < len(vec.Validators) {
			vals = append(vals, val)
		}
	}
	byName := func(name string) []byte {
		for addr, n := range names {
			if n == name {
				return []byte(addr)
			}
		}
		t.Fatalf("no validator %q", name)
		return nil
	}
	check := func(step string, set *ValidatorSet, want state) {
		t.Helper()
		if want.Proposer != "" {
			if got := names[string(set.GetProposer().Address)]; got != want.Proposer {
				t.Errorf("%s: proposer %s, want %s", step, got, want.Proposer)
			}
		}
		if want.Order != nil {
			var order []string
			for _, v := range set.Validators {
				order = append(order, names[string(v.Address)])
			}
			if strings.Join(order, ",") != strings.Join(want.Order, ",") {
				t.Errorf("%s: order %v, want %v", step, order, want.Order)
			}
		}
		if set.Size() != len(want.Priorities) {
			t.Errorf("%s: %d validators, want %d", step, set.Size(), len(want.Priorities))
		}
		for name, prio := range want.Priorities {
			_, v := set.GetByAddress(byName(name))
			if v == nil || v.ProposerPriority != prio {
				t.Errorf("%s: %s has %v, want priority %d", step, name, v, prio)
			}
		}
	}

	genesis := mustValidatorSet(t, vals...)
	check("NewValidatorSet", genesis, vec.AfterNew)
	for _, inc := range vec.Increments {
		got := genesis.CopyIncrementProposerPriority(inc.Times)
		check("Increment("+string(rune('0'+inc.Times))+")", got, inc.state)
	}
	check("NewValidatorSet after copies", genesis, vec.AfterNew)

	next := genesis.CopyIncrementProposerPriority(vec.Update.BaseTimes)
	var changes []*Validator
	for name, power := range vec.Update.Changes {
		changes = append(changes, secretValidator(name, power))
	}
	if err := next.UpdateWithChangeSet(changes); err != nil {
		t.Fatal(err)
	}
	check("UpdateWithChangeSet", next, vec.Update.AfterUpdate)
	next.IncrementProposerPriority(1)
	check("Increment after update", next, vec.Update.AfterIncrement)
}

func TestProposerSelection1(t *testing.T) {
	var vec struct {
		Validators []struct {
			Address string `json:"address"`
			Power   int64  `json:"power"`
		} `json:"validators"`
		Steps     int    `json:"steps"`
		Proposers string `json:"proposers"`
	}
	raw, err := os.ReadFile("testdata/proposer_selection1.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &vec); err != nil {
		t.Fatal(err)
	}
	var vals []*Validator
	for _, v := range vec.Validators {
		vals = append(vals, rawValidator(v.Address, v.Power))
	}
	set := mustValidatorSet(t, vals...)
	var got []string
	for range vec.Steps {
		got = append(got, string(set.GetProposer().Address))
		set.IncrementProposerPriority(1)
	}
	if strings.Join(got, " ") != vec.Proposers {
		t.Fatalf("proposers\n%s\nwant\n%s", strings.Join(got, " "), vec.Proposers)
	}
}

func TestProposerSelectionEqualPowerRotates(t *testing.T) {
	// Equal powers: proposers rotate in address order, whatever the input order.
	addrs := []string{"\x00\x03", "\x00\x01", "\x00\x04", "\x00\x02", "\x00\x00"}
	var vals []*Validator
	for _, a := range addrs {
		vals = append(vals, rawValidator(a, 100))
	}
	set := mustValidatorSet(t, vals...)
	for i := range 4 * len(addrs) {
		want := []byte{0, byte(i % len(addrs))}
		if got := set.GetProposer().Address; !bytes.Equal(got, want) {
			t.Fatalf("step %d: proposer %X, want %X", i, got, want)
		}
		set.IncrementProposerPriority(1)
	}

	// One call with times = k lands on the same proposer as k calls of 1 here (no rescale).
	a := mustValidatorSet(t, vals...)
	b := a.CopyIncrementProposerPriority(7)
	for range 7 {
		a.IncrementProposerPriority(1)
	}
	if !bytes.Equal(a.GetProposer().Address, b.GetProposer().Address) {
		t.Fatalf("Increment(7) proposer %X, 7 × Increment(1) proposer %X", b.GetProposer().Address, a.GetProposer().Address)
	}
}

func TestProposerSelectionHeavyValidatorTwice(t *testing.T) {
	// A validator with more than half the power proposes in a row when its priority allows.
	set := mustValidatorSet(t, rawValidator("\x01", 1), rawValidator("\x02", 1), rawValidator("\x03", 4))
	var got []string
	for range 6 {
		got = append(got, hex.EncodeToString(set.GetProposer().Address))
		set.IncrementProposerPriority(1)
	}
	// Priorities start at 0 and 3 proposes 4 times in every 6 steps.
	count := strings.Count(strings.Join(got, " "), "03")
	if count != 4 {
		t.Fatalf("proposers %v: validator 03 proposed %d times in 6 steps, want 4", got, count)
	}
}

func TestIncrementProposerPriorityPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"empty set": func() { (&ValidatorSet{}).IncrementProposerPriority(1) },
		"zero":      func() { mustValidatorSet(t, rawValidator("a", 1)).IncrementProposerPriority(0) },
		"negative":  func() { mustValidatorSet(t, rawValidator("a", 1)).IncrementProposerPriority(-1) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			f()
		})
	}
}

func TestCenteringUsesFloorDivision(t *testing.T) {
	// Sum -7 over 3 validators: floor(-7/3) = -3 (truncation would give -2).
	set := &ValidatorSet{Validators: []*Validator{
		{Address: []byte{1}, VotingPower: 1, ProposerPriority: -5},
		{Address: []byte{2}, VotingPower: 1, ProposerPriority: -3},
		{Address: []byte{3}, VotingPower: 1, ProposerPriority: 1},
	}}
	set.centerPriorities()
	want := []int64{-2, 0, 4}
	for i, v := range set.Validators {
		if v.ProposerPriority != want[i] {
			t.Fatalf("priority %d = %d, want %d", i, v.ProposerPriority, want[i])
		}
	}
}

func TestRescalePriorities(t *testing.T) {
	set := &ValidatorSet{Validators: []*Validator{
		{Address: []byte{1}, ProposerPriority: 1000},
		{Address: []byte{2}, ProposerPriority: -1001},
		{Address: []byte{3}, ProposerPriority: 7},
	}}
	// Spread 2001 over a window of 100: ratio ceil(20.01) = 21, truncating division.
	set.RescalePriorities(100)
	want := []int64{47, -47, 0}
	for i, v := range set.Validators {
		if v.ProposerPriority != want[i] {
			t.Fatalf("priority %d = %d, want %d", i, v.ProposerPriority, want[i])
		}
	}
	// Within the window nothing changes; a non-positive window is ignored.
	set.RescalePriorities(94)
	set.RescalePriorities(0)
	for i, v := range set.Validators {
		if v.ProposerPriority != want[i] {
			t.Fatalf("priority %d changed to %d", i, v.ProposerPriority)
		}
	}
	// Extreme priorities: the spread exceeds MaxInt64 and must not wrap.
	set = &ValidatorSet{Validators: []*Validator{
		{Address: []byte{1}, ProposerPriority: math.MaxInt64},
		{Address: []byte{2}, ProposerPriority: math.MinInt64},
	}}
	set.RescalePriorities(2)
	if p0, p1 := set.Validators[0].ProposerPriority, set.Validators[1].ProposerPriority; p0-p1 > 2 || p0 < p1 {
		t.Fatalf("extreme priorities rescaled to %d, %d", p0, p1)
	}
}

func TestClipArithmetic(t *testing.T) {
	tests := []struct{ a, b, add, sub int64 }{
		{1, 2, 3, -1},
		{math.MaxInt64, 1, math.MaxInt64, math.MaxInt64 - 1},
		{math.MinInt64, -1, math.MinInt64, math.MinInt64 + 1},
		{math.MinInt64, 1, math.MinInt64 + 1, math.MinInt64},
		{math.MaxInt64, -1, math.MaxInt64 - 1, math.MaxInt64},
		{0, math.MinInt64, math.MinInt64, math.MaxInt64},
		{-1, math.MinInt64, math.MinInt64, math.MaxInt64},
		{math.MaxInt64, math.MaxInt64, math.MaxInt64, 0},
	}
	for _, tt := range tests {
		if got := clipAdd(tt.a, tt.b); got != tt.add {
			t.Errorf("clipAdd(%d, %d) = %d, want %d", tt.a, tt.b, got, tt.add)
		}
		if got := clipSub(tt.a, tt.b); got != tt.sub {
			t.Errorf("clipSub(%d, %d) = %d, want %d", tt.a, tt.b, got, tt.sub)
		}
	}
	if got := truncDiv(math.MinInt64, 1<<63); got != -1 {
		t.Errorf("truncDiv(MinInt64, 2^63) = %d", got)
	}
	if got := truncDiv(math.MaxInt64, math.MaxUint64); got != 0 {
		t.Errorf("truncDiv(MaxInt64, MaxUint64) = %d", got)
	}
	if got := truncDiv(-7, 2); got != -3 {
		t.Errorf("truncDiv(-7, 2) = %d", got)
	}
}

// seededRand returns a generator and logs its seed, so a failure can be replayed.
func seededRand(t *testing.T) *rand.Rand {
	t.Helper()
	seed := rand.Uint64()
	t.Logf("seed %d (replace seededRand's seed with this value to replay)", seed)
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// randomRawSet returns a set of 1..maxN validators with powers in 1..maxPower.
func randomRawSet(t *testing.T, r *rand.Rand, maxN int, maxPower int64) *ValidatorSet {
	n := 1 + r.IntN(maxN)
	vals := make([]*Validator, n)
	for i := range vals {
		vals[i] = rawValidator(string([]byte{byte(i), byte(r.IntN(256))}), 1+r.Int64N(maxPower))
	}
	return mustValidatorSet(t, vals...)
}

func prioritySum(set *ValidatorSet) int64 {
	var s int64
	for _, v := range set.Validators {
		s += v.ProposerPriority
	}
	return s
}

func TestPropertyPrioritiesStayCentredAndBounded(t *testing.T) {
	r := seededRand(t)
	for iter := range 200 {
		set := randomRawSet(t, r, 12, 1+r.Int64N(1_000_000))
		n, total := int64(set.Size()), set.TotalVotingPower()
		for step := range 50 {
			set.IncrementProposerPriority(1 + r.Int32N(5))
			// The steps preserve the sum, so it stays what centring left: floor division puts it
			// in [0, n).
			if s := prioritySum(set); s < 0 || s >= n {
				t.Fatalf("iter %d step %d: priority sum %d not in [0, %d)", iter, step, s, n)
			}
			// Every priority stays within a few totals of 0.
			for _, v := range set.Validators {
				if v.ProposerPriority > 3*total || v.ProposerPriority < -3*total {
					t.Fatalf("iter %d step %d: priority %d outside ±3×%d", iter, step, v.ProposerPriority, total)
				}
			}
		}
	}
}

func TestPropertyRescaleBoundsSpread(t *testing.T) {
	r := seededRand(t)
	for iter := range 2000 {
		n := 1 + r.IntN(10)
		set := &ValidatorSet{}
		for i := range n {
			set.Validators = append(set.Validators, &Validator{
				Address:          []byte{byte(i)},
				ProposerPriority: r.Int64() - math.MaxInt64/2 - r.Int64N(math.MaxInt64/2),
			})
		}
		diffMax := 1 + r.Int64N(math.MaxInt64/4)
		if iter%2 == 0 {
			diffMax = 1 + r.Int64N(1000)
		}
		set.RescalePriorities(diffMax)
		if spread := prioritySpread(set.Validators); spread > uint64(diffMax) {
			t.Fatalf("iter %d: spread %d after RescalePriorities(%d)", iter, spread, diffMax)
		}
	}
}

func TestPropertyProposerFairness(t *testing.T) {
	// In a fixed set priorities stay within ±3T (T = total power), so over K×T steps a validator
	// of power p proposes K×p times up to ±6, and never waits more than 6T/p + 1 steps.
	r := seededRand(t)
	for iter := range 100 {
		set := randomRawSet(t, r, 8, 20)
		total := set.TotalVotingPower()
		const k = 5
		steps := int(k * total)
		counts := map[string]int64{}
		last := map[string]int{}
		for step := range steps {
			addr := string(set.GetProposer().Address)
			counts[addr]++
			if prev, ok := last[addr]; ok {
				_, v := set.GetByAddress([]byte(addr))
				if gap := int64(step - prev); gap > 6*total/v.VotingPower+1 {
					t.Fatalf("iter %d: validator %X (power %d of %d) waited %d steps", iter, addr, v.VotingPower, total, gap)
				}
			}
			last[addr] = step
			set.IncrementProposerPriority(1)
		}
		for _, v := range set.Validators {
			if c := counts[string(v.Address)]; c < k*v.VotingPower-6 || c > k*v.VotingPower+6 {
				t.Fatalf("iter %d: validator %X with power %d of %d proposed %d times in %d steps",
					iter, v.Address, v.VotingPower, total, c, steps)
			}
		}
	}
}
