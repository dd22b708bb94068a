package crash

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ballot-bft/ballot/config"
)

func TestSettingsCheckKeysAndValues(t *testing.T) {
	s := Settings{}
	for _, kv := range []string{"consensus.timeout_commit=1s", "consensus.skip_timeout_commit_txs=3"} {
		if err := s.Set(kv); err != nil {
			t.Fatalf("Set(%q): %v", kv, err)
		}
	}
	for _, bad := range []string{"no-equals-sign", "=1", "consensus.no_such_key=1", "consensus.timeout_commit=soon"} {
		if err := s.Set(bad); err == nil {
			t.Errorf("Set(%q) succeeded", bad)
		}
	}
	if got := s.String(); got != "consensus.skip_timeout_commit_txs=3,consensus.timeout_commit=1s" {
		t.Errorf("String() = %q", got)
	}
	env := s.Env()
	slices.Sort(env)
	if want := []string{"BALLOT_CONSENSUS_SKIP_TIMEOUT_COMMIT_TXS=3", "BALLOT_CONSENSUS_TIMEOUT_COMMIT=1s"}; !slices.Equal(env, want) {
		t.Errorf("Env() = %v, want %v", env, want)
	}
	cfg := config.DefaultConfig()
	if err := s.Apply(cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Consensus.TimeoutCommit != time.Second || cfg.Consensus.SkipTimeoutCommitTxs != 3 {
		t.Errorf("after Apply: timeout_commit %v, skip_timeout_commit_txs %d", cfg.Consensus.TimeoutCommit, cfg.Consensus.SkipTimeoutCommitTxs)
	}
}

// A setting wins over the harness's chain setting of the same key: it comes later in the
// environment, and os/exec keeps the last value of a variable.
func TestHomeSettingsComeAfterChainSettings(t *testing.T) {
	h := &Home{}
	h.Set(Settings{"consensus.timeout_commit": "1s"})
	env := h.env("")
	last := ""
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "BALLOT_CONSENSUS_TIMEOUT_COMMIT="); ok {
			last = v
		}
	}
	if last != "1s" {
		t.Errorf("the last BALLOT_CONSENSUS_TIMEOUT_COMMIT is %q, want 1s", last)
	}
}
