package types

import (
	"testing"
	"time"
)

func TestMedianTime(t *testing.T) {
	secrets := []string{"a", "b", "c", "d"}
	at := func(ms int) time.Time { return testTime.Add(time.Duration(ms) * time.Millisecond) }
	cases := []struct {
		name   string
		powers []int64 // voting power of secrets[i]
		times  []int   // ms offsets; -1 = ABSENT entry
		nilIdx int     // index whose entry is NIL instead of COMMIT, or -1
		want   int     // ms offset of the expected median
	}{
		// Equal powers 10 each, total 40, half 20: sorted 1,2,3,4 → 20-10=10 at 1ms, 10 ≤ 10 at 2ms.
		{"equal powers", []int64{10, 10, 10, 10}, []int{4, 1, 3, 2}, -1, 2},
		// A heavy validator decides: total 100, half 50, first entry (time 5, weight 70) wins.
		{"heavy validator", []int64{70, 10, 10, 10}, []int{5, 1, 2, 3}, -1, 5},
		// Absent entries are skipped: total 30, half 15; sorted 1(10) → 5; 3(10) wins.
		{"absent skipped", []int64{10, 10, 10, 10}, []int{-1, 1, 3, 9}, -1, 3},
		// NIL entries count like COMMIT ones.
		{"nil counted", []int64{10, 10, 10, 10}, []int{4, 1, 3, 2}, 1, 2},
		// Odd total: 3 × 5 = 15, half 7; sorted 1(5) → 2; 2(5) wins.
		{"odd total", []int64{5, 5, 5}, []int{3, 2, 1}, -1, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			vals := make([]*Validator, len(tc.powers))
			for i, p := range tc.powers {
				vals[i] = NewValidator(testKey(secrets[i]).PubKey(), p)
			}
			set, err := NewValidatorSet(vals)
			if err != nil {
				t.Fatal(err)
			}
			// Entries follow the set's order; look each validator up by address.
			commit := &Commit{Height: 3, BlockID: completeBlockID("b"), Signatures: make([]CommitSig, set.Size())}
			for i, s := range secrets[:len(tc.powers)] {
				addr := testKey(s).PubKey().Address()
				idx, _ := set.GetByAddress(addr)
				if tc.times[i] < 0 {
					commit.Signatures[idx] = NewCommitSigAbsent()
					continue
				}
				flag := BlockIDFlagCommit
				if i == tc.nilIdx {
					flag = BlockIDFlagNil
				}
				commit.Signatures[idx] = CommitSig{BlockIDFlag: flag, ValidatorAddress: addr, Timestamp: at(tc.times[i]), Signature: []byte{1}}
			}
			if got := MedianTime(commit, set); !got.Equal(at(tc.want)) {
				t.Fatalf("median %v, want %v", got, at(tc.want))
			}
		})
	}
}

func TestMedianTimeSkipsUnknownSigners(t *testing.T) {
	set := testValidatorSet(t, "a")
	stranger := testKey("z").PubKey().Address()
	commit := &Commit{Height: 3, BlockID: completeBlockID("b"), Signatures: []CommitSig{
		{BlockIDFlag: BlockIDFlagCommit, ValidatorAddress: stranger, Timestamp: testTime, Signature: []byte{1}},
	}}
	if got := MedianTime(commit, set); !got.IsZero() {
		t.Fatalf("median of unknown signers %v, want zero time", got)
	}
	if got := MedianTime(&Commit{}, set); !got.IsZero() {
		t.Fatalf("median of the empty commit %v", got)
	}
}
