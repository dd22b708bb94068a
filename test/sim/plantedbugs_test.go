package sim

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
)

// plantedBugs are the build tags of the planted bugs, the negative controls of the invariants:
// a locked node that prevotes as if it held no lock (consensus/core/plantedbug_lock.go),
// precommits tallied per validator instead of per unit of voting power
// (consensus/core/plantedbug_commit.go), and a signer without its double-sign guard
// (plantedbug_guard.go).
var plantedBugs = []string{"ballot_plantedbug_lock", "ballot_plantedbug_commit", "ballot_plantedbug_doublesign"}

// TestPlantedBugsCaught builds this package with each planted bug and runs its
// TestPlantedBugCaught: the seed set must catch every bug.
func TestPlantedBugsCaught(t *testing.T) {
	heavy(t)
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the planted-bug builds need the go command: %v", err)
	}
	seeds, _ := seedSet()
	for _, tag := range plantedBugs {
		t.Run(tag, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(goTool, "test", "-count=1", "-tags", tag, "-run", "^TestPlantedBugCaught$", "-v", ".",
				fmt.Sprintf("-sim.seed=%d", seeds[0]), fmt.Sprintf("-sim.seeds=%d", len(seeds)))
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, out)
			}
			for _, line := range strings.Split(string(out), "\n") {
				if strings.Contains(line, "caught by") || strings.Contains(line, "replay:") {
					t.Log(strings.TrimSpace(line))
				}
			}
		})
	}
}
