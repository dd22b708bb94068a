package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

const signedState = `{"height":"15","round":0,"step":3,"signature":"mrI7d7w5GpJJU2yPy3tYzqnxMhbgpK0BsJkLcXrAfwFQyiQuEbwsZ+hVwENhlY6Ys5tIGof284ucHnhwzwFQBw==","signbytes":"6C0802110F0000000000000022480A2009EC59AAB272916FC0B7D489E3607A15A38A3A0E45D7E57088B7EF8927553EEA12240801122007D441105076121C5D149EB345B4092A1EA6839CA09987844ADA5A588892C55A2A0B08D9C58FD80610F5F7B419320876652D636861696E"}`

func TestUnsafeResetAll(t *testing.T) {
	for _, keep := range []bool{false, true} {
		home := t.TempDir()
		copyTree(t, "testdata/cometbft-home", home)
		writeFile(t, filepath.Join(home, "data/priv_validator_state.json"), signedState)
		writeFile(t, filepath.Join(home, "data/blockstore.db/000001.log"), "blocks")
		writeFile(t, filepath.Join(home, "data/cs.wal/wal"), "wal")
		writeFile(t, filepath.Join(home, "config/addrbook.json"), "{}")
		keyBefore, _ := os.ReadFile(filepath.Join(home, "config/priv_validator_key.json"))

		args := []string{"unsafe-reset-all", "--home", home}
		if keep {
			args = append(args, "--keep-addr-book")
		}
		mustRun(t, nil, args...)

		if exists(filepath.Join(home, "data/blockstore.db")) || exists(filepath.Join(home, "data/cs.wal")) {
			t.Error("blockchain data survived unsafe-reset-all")
		}
		if got := exists(filepath.Join(home, "config/addrbook.json")); got != keep {
			t.Errorf("--keep-addr-book=%v: address book exists=%v", keep, got)
		}
		keyAfter, _ := os.ReadFile(filepath.Join(home, "config/priv_validator_key.json"))
		if string(keyAfter) != string(keyBefore) {
			t.Error("unsafe-reset-all changed the validator key")
		}
		state, err := os.ReadFile(filepath.Join(home, "data/priv_validator_state.json"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(state), `"height": "0"`) || strings.Contains(string(state), "signature") {
			t.Errorf("sign state not reset:\n%s", state)
		}
	}
}

func TestResetStateKeepsKeysAndSignState(t *testing.T) {
	home := t.TempDir()
	copyTree(t, "testdata/cometbft-home", home)
	writeFile(t, filepath.Join(home, "data/priv_validator_state.json"), signedState)
	for _, db := range []string{"blockstore.db/x", "state.db/x", "cs.wal/wal", "evidence.db/x", "tx_index.db/x", "other.db/x"} {
		writeFile(t, filepath.Join(home, "data", db), "data")
	}
	writeFile(t, filepath.Join(home, "config/addrbook.json"), "{}")
	mustRun(t, nil, "reset-state", "--home", home)
	for _, db := range []string{"blockstore.db", "state.db", "cs.wal", "evidence.db", "tx_index.db"} {
		if exists(filepath.Join(home, "data", db)) {
			t.Errorf("%s survived reset-state", db)
		}
	}
	for _, kept := range []string{"data/other.db/x", "config/addrbook.json", "config/priv_validator_key.json", "config/node_key.json"} {
		if !exists(filepath.Join(home, kept)) {
			t.Errorf("reset-state removed %s", kept)
		}
	}
	state, _ := os.ReadFile(filepath.Join(home, "data/priv_validator_state.json"))
	if string(state) != signedState {
		t.Error("reset-state touched the sign state")
	}
}

func TestUnsafeResetPrivValidatorGeneratesMissingKey(t *testing.T) {
	home := t.TempDir()
	mustRun(t, nil, "unsafe-reset-priv-validator", "--home", home)
	if !exists(filepath.Join(home, "config/priv_validator_key.json")) || !exists(filepath.Join(home, "data/priv_validator_state.json")) {
		t.Fatal("no key or state was generated")
	}
}

func TestReindexEventErrors(t *testing.T) {
	home := t.TempDir()
	mustRun(t, nil, "init", "--home", home)
	// Nothing stored yet: there is no height to index.
	if _, err := run(t, nil, "reindex-event", "--home", home); err == nil || strings.Contains(err.Error(), "\n") {
		t.Fatalf("reindex-event on an empty store: %v, want one error line", err)
	}
	// With indexing off there is nothing to reindex.
	_, err := run(t, []string{"BALLOT_TX_INDEX_INDEXER=null"}, "reindex-event", "--home", home)
	if err == nil || !strings.Contains(err.Error(), "null") {
		t.Fatalf("reindex-event with the null indexer: %v", err)
	}
}
