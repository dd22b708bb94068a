package types

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestUpdateWithChangeSetErrors(t *testing.T) {
	base := func() *ValidatorSet {
		return mustValidatorSet(t, rawValidator("a", 10), rawValidator("b", 20), rawValidator("c", 30))
	}
	tests := []struct {
		name    string
		changes []*Validator
		wantIs  error
		wantMsg string
	}{
		{"duplicate", []*Validator{rawValidator("d", 5), rawValidator("d", 6)}, ErrInvalidValidatorChanges, "duplicate entry"},
		{"duplicate removal", []*Validator{rawValidator("a", 0), rawValidator("a", 0)}, ErrInvalidValidatorChanges, "duplicate entry"},
		{"negative", []*Validator{rawValidator("a", -1)}, ErrInvalidValidatorChanges, "negative voting power -1"},
		{"above max", []*Validator{rawValidator("d", MaxTotalVotingPower+1)}, ErrInvalidValidatorChanges, "above the maximum"},
		{"unknown removal", []*Validator{rawValidator("z", 0)}, ErrInvalidValidatorChanges, "not in the set"},
		{"empty result", []*Validator{rawValidator("a", 0), rawValidator("b", 0), rawValidator("c", 0)}, ErrEmptyValidatorSet, "no validators"},
		{"total overflow", []*Validator{rawValidator("d", MaxTotalVotingPower-59)}, ErrTotalVotingPowerOverflow, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := base()
			before := set.Copy()
			err := set.UpdateWithChangeSet(tt.changes)
			if err == nil || !errors.Is(err, tt.wantIs) || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Fatalf("error = %v, want %v containing %q", err, tt.wantIs, tt.wantMsg)
			}
			if !sameValidators(set, before) || set.TotalVotingPower() != before.TotalVotingPower() {
				t.Fatalf("failed update changed the set: %v", set)
			}
		})
	}

	// A total exactly at the maximum is allowed; removing power first makes room.
	set := base()
	if err := set.UpdateWithChangeSet([]*Validator{rawValidator("d", MaxTotalVotingPower-60)}); err != nil {
		t.Fatalf("update to the maximum total: %v", err)
	}
	set = base()
	if err := set.UpdateWithChangeSet([]*Validator{rawValidator("c", 0), rawValidator("d", MaxTotalVotingPower-30)}); err != nil {
		t.Fatalf("removal making room: %v", err)
	}
	if set.TotalVotingPower() != MaxTotalVotingPower {
		t.Fatalf("total %d", set.TotalVotingPower())
	}
}

func TestNewValidatorSetErrors(t *testing.T) {
	for name, vals := range map[string][]*Validator{
		"zero power": {rawValidator("a", 10), rawValidator("b", 0)},
		"duplicate":  {rawValidator("a", 10), rawValidator("a", 20)},
		"negative":   {rawValidator("a", -10)},
		"overflow":   {rawValidator("a", MaxTotalVotingPower), rawValidator("b", 1)},
	} {
		if _, err := NewValidatorSet(vals); err == nil {
			t.Errorf("%s: NewValidatorSet succeeded", name)
		}
	}
	empty, err := NewValidatorSet(nil)
	if err != nil || !empty.IsNilOrEmpty() || empty.GetProposer() != nil {
		t.Fatalf("empty set: %v, %v", empty, err)
	}
}

func TestUpdateWithChangeSetKeepsInputsAndPriorities(t *testing.T) {
	set := mustValidatorSet(t, rawValidator("a", 10), rawValidator("b", 20), rawValidator("c", 30))
	set.IncrementProposerPriority(1)
	_, b := set.GetByAddress([]byte("b"))

	change := rawValidator("b", 25)
	change.ProposerPriority = 999 // ignored: a kept validator keeps its priority
	if err := set.UpdateWithChangeSet([]*Validator{change}); err != nil {
		t.Fatal(err)
	}
	if change.VotingPower != 25 || change.ProposerPriority != 999 {
		t.Fatalf("input change modified: %v", change)
	}
	_, b2 := set.GetByAddress([]byte("b"))
	if b2.VotingPower != 25 {
		t.Fatalf("power not updated: %v", b2)
	}
	// Only a rescale or the centring may move b's priority; neither adds 999.
	if d := b2.ProposerPriority - b.ProposerPriority; d > 10 || d < -10 {
		t.Fatalf("priority of kept validator jumped from %d to %d", b.ProposerPriority, b2.ProposerPriority)
	}
	if set.TotalVotingPower() != 65 {
		t.Fatalf("total %d, want 65", set.TotalVotingPower())
	}
	if err := set.UpdateWithChangeSet(nil); err != nil {
		t.Fatalf("empty change set: %v", err)
	}
}

func sameValidators(a, b *ValidatorSet) bool {
	return slices.EqualFunc(a.Validators, b.Validators, func(x, y *Validator) bool {
		return bytes.Equal(x.Address, y.Address) && x.VotingPower == y.VotingPower && x.ProposerPriority == y.ProposerPriority
	})
}

func TestPropertyRandomUpdates(t *testing.T) {
	r := seededRand(t)
	for iter := range 100 {
		set := randomRawSet(t, r, 6, 1000)
		for step := range 30 {
			// Random changes over a small address space: adds, power changes and removals.
			var changes []*Validator
			used := map[byte]bool{}
			for range 1 + r.IntN(4) {
				a := byte(r.IntN(12))
				if used[a] {
					continue
				}
				used[a] = true
				power := r.Int64N(1000)
				if r.IntN(3) == 0 {
					power = 0
				}
				changes = append(changes, rawValidator(string([]byte{a, 0}), power))
			}
			before := set.Copy()
			if err := set.UpdateWithChangeSet(changes); err != nil {
				// Only removals of unknown validators or of everyone may fail here.
				if !errors.Is(err, ErrInvalidValidatorChanges) && !errors.Is(err, ErrEmptyValidatorSet) {
					t.Fatalf("iter %d step %d: unexpected error %v", iter, step, err)
				}
				if !sameValidators(set, before) {
					t.Fatalf("iter %d step %d: failed update changed the set", iter, step)
				}
				continue
			}
			checkSetInvariants(t, set, fmt.Sprintf("iter %d step %d after update", iter, step))
			set.IncrementProposerPriority(1 + r.Int32N(3))
			checkSetInvariants(t, set, fmt.Sprintf("iter %d step %d after increment", iter, step))
			if s, n := prioritySum(set), int64(set.Size()); s < 0 || s >= n {
				t.Fatalf("iter %d step %d: priority sum %d not in [0, %d)", iter, step, s, n)
			}
		}
	}
}

// checkSetInvariants asserts order, uniqueness, a correct cached total and a bounded spread.
func checkSetInvariants(t *testing.T, set *ValidatorSet, where string) {
	t.Helper()
	if set.IsNilOrEmpty() {
		t.Fatalf("%s: empty set", where)
	}
	var total int64
	for i, v := range set.Validators {
		total += v.VotingPower
		if v.VotingPower <= 0 {
			t.Fatalf("%s: validator %v with power %d", where, v.Address, v.VotingPower)
		}
		if i > 0 && lessByPowerThenAddress(set.Validators[i-1], v) >= 0 {
			t.Fatalf("%s: validators out of order at %d: %v", where, i, set)
		}
	}
	if set.TotalVotingPower() != total {
		t.Fatalf("%s: cached total %d, actual %d", where, set.TotalVotingPower(), total)
	}
	if spread := prioritySpread(set.Validators); spread > uint64(3*total) {
		t.Fatalf("%s: priority spread %d above 3×%d", where, spread, total)
	}
	if set.Proposer != nil && set.HasAddress(set.Proposer.Address) {
		if i, _ := set.GetByAddress(set.Proposer.Address); set.Validators[i] != set.Proposer {
			t.Fatalf("%s: proposer is not the set's element", where)
		}
	}
}
