package p2p

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The node key written by `cometbft init` (v0.38.26) in operator.md §6.1, with its node ID.
func TestLoadCometBFTNodeKey(t *testing.T) {
	k, err := LoadNodeKey("testdata/node_key_cometbft.json")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := k.ID(), ID("03f997765efe563cca533fe3f2b3ba5f7c96aadb"); got != want {
		t.Fatalf("node ID = %s, want %s", got, want)
	}
}

// Saving writes the same single-line document CometBFT writes, so the file round-trips byte for byte.
func TestNodeKeyFileRoundTrip(t *testing.T) {
	want, err := os.ReadFile("testdata/node_key_cometbft.json")
	if err != nil {
		t.Fatal(err)
	}
	k, err := LoadNodeKey("testdata/node_key_cometbft.json")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "node_key.json")
	if err := k.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("saved node key differs:\n got %s\nwant %s", got, want)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Fatalf("node key mode = %o, want 600", perm)
	}
}

func TestLoadOrGenNodeKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "node_key.json")
	k1, created, err := LoadOrGenNodeKey(path)
	if err != nil || !created {
		t.Fatalf("first call: created=%v err=%v", created, err)
	}
	k2, created, err := LoadOrGenNodeKey(path)
	if err != nil || created {
		t.Fatalf("second call: created=%v err=%v", created, err)
	}
	if k1.ID() != k2.ID() {
		t.Fatalf("reloaded key has ID %s, want %s", k2.ID(), k1.ID())
	}
	if err := k1.ID().Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestBadNodeKeyFiles(t *testing.T) {
	cases := map[string]struct {
		content string
		wantErr string
	}{
		"truncated":   {`{"priv_key":{"type":"tendermint/PrivKeyEd25519","value":"SUIEW55e`, "unexpected end of JSON input"},
		"wrong type":  {`{"priv_key":{"type":"tendermint/PrivKeySecp256k1","value":"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="}}`, "node keys must be ed25519"},
		"missing key": {`{}`, "priv_key is missing"},
		"not json":    {`hello`, "invalid character"},
		"bad base64":  {`{"priv_key":{"type":"tendermint/PrivKeyEd25519","value":"!!!"}}`, "base64"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "node_key.json")
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := LoadNodeKey(path)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), path) {
				t.Fatalf("error = %v, want it to name %s and contain %q", err, path, tc.wantErr)
			}
		})
	}
}

func TestIDValidate(t *testing.T) {
	for id, ok := range map[ID]bool{
		"03f997765efe563cca533fe3f2b3ba5f7c96aadb":  true,
		"03F997765EFE563CCA533FE3F2B3BA5F7C96AADB":  false,
		"03f997765efe563cca533fe3f2b3ba5f7c96aad":   false,
		"03f997765efe563cca533fe3f2b3ba5f7c96aadbb": false,
		"zzf997765efe563cca533fe3f2b3ba5f7c96aadb":  false,
	} {
		if err := id.Validate(); (err == nil) != ok {
			t.Errorf("Validate(%s) = %v, want ok=%v", id, err, ok)
		}
	}
}
