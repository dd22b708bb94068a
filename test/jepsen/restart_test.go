package jepsen

import (
	"fmt"
	"slices"
	"testing"
)

func TestRestartScenarios(t *testing.T) {
	cluster := func(vals, full int) *Cluster {
		c := &Cluster{}
		for i := range vals + full {
			c.Nodes = append(c.Nodes, &Node{Index: i, Validator: i < vals})
		}
		return c
	}
	var got []string
	for _, sc := range RestartScenarios(cluster(4, 1)) {
		got = append(got, fmt.Sprintf("%s %v", sc.Name, sc.Nodes))
	}
	want := []string{
		"one validator (1) at once [3]",
		"f+1 validators (2) at once [2 3]", "f+1 validators (2) staggered [2 3]",
		"2f+1 validators (3) at once [1 2 3]", "2f+1 validators (3) staggered [1 2 3]",
		"all validators (4) at once [0 1 2 3]", "all validators (4) staggered [0 1 2 3]",
		"full nodes (1) [4]", "all nodes (5) at once [0 1 2 3 4]", "all nodes (5) staggered [0 1 2 3 4]",
		"all nodes (5), SIGTERM [0 1 2 3 4]",
	}
	if !slices.Equal(got, want) {
		t.Errorf("4 validators and a full node (f = 1, so f and one coincide):\n got %q\nwant %q", got, want)
	}
	// Seven validators: f = 2 differs from one.
	var sizes []int
	for _, sc := range RestartScenarios(cluster(7, 0)) {
		if !sc.Staggered && !sc.Graceful {
			sizes = append(sizes, len(sc.Nodes))
		}
	}
	if !slices.Equal(sizes, []int{1, 2, 3, 5, 7}) {
		t.Errorf("7 validators: at-once sizes %v, want one, f, f+1, 2f+1, all = [1 2 3 5 7]", sizes)
	}
}
