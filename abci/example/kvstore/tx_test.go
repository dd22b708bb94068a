package kvstore

import (
	"encoding/base64"
	"testing"

	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

func TestCheckTxRules(t *testing.T) {
	app := NewInMemoryApplication(Options{})
	defer app.Close()
	b64 := base64.StdEncoding.EncodeToString(testPubKey("v"))
	cases := []struct {
		tx   string
		code uint32
	}{
		// CometBFT's rules (observed with its abci-cli: "a=b" OK, "a:b" OK, "=b" 2, 0x00 2).
		{"a=b", CodeTypeOK},
		{"a:b", CodeTypeOK},
		{"=b", CodeTypeInvalidTxFormat},
		{"a=", CodeTypeInvalidTxFormat},
		{":b", CodeTypeInvalidTxFormat},
		{"a:", CodeTypeInvalidTxFormat},
		{"abc", CodeTypeInvalidTxFormat},
		{"", CodeTypeInvalidTxFormat},
		{"\x00", CodeTypeInvalidTxFormat},
		{"a=b=c", CodeTypeInvalidTxFormat},
		{"a:b:c", CodeTypeInvalidTxFormat},
		{"a=b:c", CodeTypeInvalidTxFormat},
		{"val=ed25519!" + b64 + "!10", CodeTypeOK},
		{"val=!" + b64 + "!0", CodeTypeOK},
		{"val=whatever!" + b64 + "!+3", CodeTypeOK}, // type checked at execution, as CometBFT
		{"val=ed25519!" + b64 + "!-1", CodeTypeInvalidTxFormat},
		{"val=ed25519!" + b64 + "!x", CodeTypeInvalidTxFormat},
		{"val=ed25519!not base64!1", CodeTypeInvalidTxFormat},
		{"val=ed25519!" + b64, CodeTypeInvalidTxFormat},
		{"val=x", CodeTypeInvalidTxFormat},
		// Ballot's operations.
		{"get:k:", CodeTypeOK},
		{"get:k:nonce:with:colons", CodeTypeOK},
		{"get:k", CodeTypeOK}, // one ':' — the set get=k
		{"get::n", CodeTypeInvalidTxFormat},
		{"get:k=v:n", CodeTypeInvalidTxFormat},
		{"cas:k::v", CodeTypeOK},
		{"cas:k:old:new", CodeTypeOK},
		{"cas:k:old:new:nonce", CodeTypeOK},
		{"cas:k:old", CodeTypeInvalidTxFormat},
		{"cas:k:old:", CodeTypeInvalidTxFormat},
		{"cas::old:new", CodeTypeInvalidTxFormat},
		{"cas:k:o=d:new", CodeTypeInvalidTxFormat},
		{"cas:k:old:n=w", CodeTypeInvalidTxFormat},
	}
	for _, c := range cases {
		for _, typ := range []abci.CheckTxType{abci.CheckTxType_New, abci.CheckTxType_Recheck} {
			resp, err := app.CheckTx(ctx, &abci.RequestCheckTx{Tx: []byte(c.tx), Type: typ})
			if err != nil {
				t.Fatal(err)
			}
			if resp.Code != c.code {
				t.Errorf("CheckTx(%q, %v) code %d, want %d (log %q)", c.tx, typ, resp.Code, c.code, resp.Log)
			}
			if c.code == CodeTypeOK && resp.GasWanted != 1 {
				t.Errorf("CheckTx(%q) gas_wanted %d, want 1", c.tx, resp.GasWanted)
			}
		}
	}
}

func TestOperationsNeverParseAsCometBFTSets(t *testing.T) {
	// Every get/cas operation must be a transaction CometBFT's kvstore rejects: at least two
	// separators in total.
	for _, tx := range [][]byte{NewGetTx("k", ""), NewGetTx("k", "1"), NewCASTx("k", "", "v", ""), NewCASTx("k", "a", "b", "n")} {
		p := parseTx(tx)
		if p.kind != kindGet && p.kind != kindCAS {
			t.Fatalf("%q parsed as kind %d", tx, p.kind)
		}
		seps := 0
		for _, b := range tx {
			if b == ':' || b == '=' {
				seps++
			}
		}
		if seps < 2 {
			t.Errorf("%q has %d separators; CometBFT would accept it as a set", tx, seps)
		}
	}
}

func TestConstructors(t *testing.T) {
	if got := string(NewTx("k", "v")); got != "k=v" {
		t.Errorf("NewTx = %q", got)
	}
	if got := string(NewGetTx("k", "7")); got != "get:k:7" {
		t.Errorf("NewGetTx = %q", got)
	}
	if got := string(NewCASTx("k", "", "v", "")); got != "cas:k::v" {
		t.Errorf("NewCASTx = %q", got)
	}
	pub := testPubKey("x")
	tx := NewValidatorTx("ed25519", pub, 5)
	p := parseTx(tx)
	if p.kind != kindValidator || p.val.keyType != "ed25519" || p.val.power != 5 || string(p.val.pubKey) != string(pub) {
		t.Errorf("NewValidatorTx round trip: %+v", p)
	}
}

func TestPrepareProposal(t *testing.T) {
	app := NewInMemoryApplication(Options{})
	defer app.Close()
	in := []string{"a=b", "c:d", "bad", "get:k:1", "cas:k::v", "=x", "val=x:y!AAAA!1"}
	want := []string{"a=b", "c=d", "get:k:1", "cas:k::v", "val=x=y!AAAA!1"}
	req := &abci.RequestPrepareProposal{MaxTxBytes: 1 << 20}
	for _, tx := range in {
		req.Txs = append(req.Txs, []byte(tx))
	}
	resp, err := app.PrepareProposal(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Txs) != len(want) {
		t.Fatalf("got %q, want %q", resp.Txs, want)
	}
	for i := range want {
		if string(resp.Txs[i]) != want[i] {
			t.Errorf("tx %d = %q, want %q", i, resp.Txs[i], want[i])
		}
	}
	if string(req.Txs[1]) != "c:d" {
		t.Errorf("PrepareProposal modified its request: %q", req.Txs[1])
	}

	limited, err := app.PrepareProposal(ctx, &abci.RequestPrepareProposal{MaxTxBytes: 7, Txs: req.Txs})
	if err != nil {
		t.Fatal(err)
	}
	if len(limited.Txs) != 2 {
		t.Errorf("MaxTxBytes 7 kept %q, want the first two", limited.Txs)
	}
}

func TestProcessProposal(t *testing.T) {
	app := NewInMemoryApplication(Options{})
	defer app.Close()
	for _, c := range []struct {
		txs  []string
		want abci.ResponseProcessProposal_ProposalStatus
	}{
		{nil, abci.ResponseProcessProposal_ACCEPT},
		{[]string{"a=b", "c:d", "get:a:"}, abci.ResponseProcessProposal_ACCEPT},
		{[]string{"a=b", "nope"}, abci.ResponseProcessProposal_REJECT},
	} {
		req := &abci.RequestProcessProposal{}
		for _, tx := range c.txs {
			req.Txs = append(req.Txs, []byte(tx))
		}
		resp, err := app.ProcessProposal(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.Status != c.want {
			t.Errorf("ProcessProposal(%q) = %v, want %v", c.txs, resp.Status, c.want)
		}
	}
}
