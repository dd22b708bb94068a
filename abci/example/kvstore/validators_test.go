package kvstore

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/cosmos/gogoproto/proto"

	"github.com/ballot-bft/ballot/crypto/ed25519"
	"github.com/ballot-bft/ballot/crypto/encoding"
	"github.com/ballot-bft/ballot/crypto/secp256k1"
	"github.com/ballot-bft/ballot/crypto/tmhash"
	cmtjson "github.com/ballot-bft/ballot/libs/json"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	cryptoproto "github.com/ballot-bft/ballot/proto/tendermint/crypto"
)

func queryValidator(t *testing.T, app *Application, pub []byte) (abci.ValidatorUpdate, bool) {
	t.Helper()
	resp, err := app.Query(ctx, &abci.RequestQuery{Path: QueryPathValidator, Data: pub})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(resp.Key, pub) {
		t.Errorf("/val key %X, want %X", resp.Key, pub)
	}
	if resp.Value == nil {
		return abci.ValidatorUpdate{}, false
	}
	v, err := decodeValidator(resp.Value)
	if err != nil {
		t.Fatal(err)
	}
	return v, true
}

func TestValidatorUpdates(t *testing.T) {
	app := NewInMemoryApplication(Options{})
	defer app.Close()
	genesis := testPubKey("genesis")
	if _, err := app.InitChain(ctx, &abci.RequestInitChain{Validators: []abci.ValidatorUpdate{ed25519Update(genesis, 10)}}); err != nil {
		t.Fatal(err)
	}
	if v, ok := queryValidator(t, app, genesis); !ok || v.Power != 10 {
		t.Fatalf("genesis validator: %v %v", v, ok)
	}

	added := testPubKey("added")
	secp := append([]byte{0x02}, testPubKey("secp")...)
	resp := block(t, app, 1,
		string(NewValidatorTx("ed25519", added, 7)),
		string(NewValidatorTx("", genesis, 0)),
		string(NewValidatorTx("secp256k1", secp, 3)),
		string(NewValidatorTx("ed25519", secp, 3)),       // wrong length for ed25519
		string(NewValidatorTx("ml_dsa_65", added, 1)),    // unsupported type
		string(NewValidatorTx("ed25519", added[:31], 1)), // short key
	)
	wantCodes := []uint32{0, 0, 0, CodeTypeInvalidTxFormat, CodeTypeInvalidTxFormat, CodeTypeInvalidTxFormat}
	for i, r := range resp.TxResults {
		if r.Code != wantCodes[i] {
			t.Errorf("tx %d code %d, want %d (log %q)", i, r.Code, wantCodes[i], r.Log)
		}
	}
	wantUpdates := []abci.ValidatorUpdate{
		ed25519Update(added, 7),
		ed25519Update(genesis, 0),
		{PubKey: cryptoproto.PublicKey{Sum: &cryptoproto.PublicKey_Secp256K1{Secp256K1: secp}}, Power: 3},
	}
	if len(resp.ValidatorUpdates) != len(wantUpdates) {
		t.Fatalf("validator updates %v", resp.ValidatorUpdates)
	}
	for i, w := range wantUpdates {
		if !proto.Equal(&resp.ValidatorUpdates[i], &w) {
			t.Errorf("update %d = %v, want %v", i, resp.ValidatorUpdates[i], w)
		}
	}
	if _, ok := queryValidator(t, app, genesis); ok {
		t.Error("removed validator still stored")
	}
	if v, ok := queryValidator(t, app, added); !ok || v.Power != 7 {
		t.Errorf("added validator: %v %v", v, ok)
	}
	if v, ok := queryValidator(t, app, secp); !ok || v.Power != 3 {
		t.Errorf("secp256k1 validator: %v %v", v, ok)
	}
	// A validator tx's events carry the whole tx when it does not split into two on '='
	// (the base64 padding of a 32-byte key adds a second '=').
	tx := string(NewValidatorTx("ed25519", added, 7))
	if got := resp.TxResults[0].Events[0].Attributes[1].Value; got != tx {
		t.Errorf("validator event key %q, want %q", got, tx)
	}
}

func TestMisbehaviorLowersPower(t *testing.T) {
	app := NewInMemoryApplication(Options{})
	defer app.Close()
	pub := testPubKey("byzantine")
	if _, err := app.InitChain(ctx, &abci.RequestInitChain{Validators: []abci.ValidatorUpdate{ed25519Update(pub, 10)}}); err != nil {
		t.Fatal(err)
	}
	req := &abci.RequestFinalizeBlock{Height: 1, Misbehavior: []abci.Misbehavior{
		{Type: abci.MisbehaviorType_DUPLICATE_VOTE, Validator: abci.Validator{Address: tmhash.SumTruncated(pub), Power: 10}},
		{Type: abci.MisbehaviorType_DUPLICATE_VOTE, Validator: abci.Validator{Address: make([]byte, 20), Power: 5}}, // unknown: skipped
		{Type: abci.MisbehaviorType_LIGHT_CLIENT_ATTACK, Validator: abci.Validator{Address: tmhash.SumTruncated(pub), Power: 10}},
	}}
	resp, err := app.FinalizeBlock(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.ValidatorUpdates) != 1 || !equalUpdate(resp.ValidatorUpdates[0], ed25519Update(pub, 9)) {
		t.Fatalf("updates %v, want power 9 for the equivocator", resp.ValidatorUpdates)
	}
	commit(t, app)
	if v, ok := queryValidator(t, app, pub); !ok || v.Power != 9 {
		t.Errorf("stored %v %v", v, ok)
	}
}

// TestMisbehaviorSecp256k1 checks that a secp256k1 validator is found by its address
// (RIPEMD-160(SHA-256(key))), as CometBFT's kvstore finds it.
func TestMisbehaviorSecp256k1(t *testing.T) {
	app := NewInMemoryApplication(Options{})
	defer app.Close()
	secp := append([]byte{0x03}, testPubKey("secp byzantine")...)
	update := abci.ValidatorUpdate{PubKey: cryptoproto.PublicKey{Sum: &cryptoproto.PublicKey_Secp256K1{Secp256K1: secp}}, Power: 4}
	if _, err := app.InitChain(ctx, &abci.RequestInitChain{Validators: []abci.ValidatorUpdate{update}}); err != nil {
		t.Fatal(err)
	}
	resp, err := app.FinalizeBlock(ctx, &abci.RequestFinalizeBlock{Height: 1, Misbehavior: []abci.Misbehavior{
		{Type: abci.MisbehaviorType_DUPLICATE_VOTE, Validator: abci.Validator{Address: secp256k1.PubKey(secp).Address(), Power: 4}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	update.Power = 3
	if len(resp.ValidatorUpdates) != 1 || !equalUpdate(resp.ValidatorUpdates[0], update) {
		t.Errorf("updates %v, want power 3 for the secp256k1 equivocator", resp.ValidatorUpdates)
	}
}

// TestNoValidatorUpdatesIsEmpty checks that a block without validator changes answers an empty,
// non-nil list, which the NewBlock event shows as [] (CometBFT's kvstore does the same).
func TestNoValidatorUpdatesIsEmpty(t *testing.T) {
	app := NewInMemoryApplication(Options{})
	defer app.Close()
	resp := finalize(t, app, 1, "a=b")
	if resp.ValidatorUpdates == nil || len(resp.ValidatorUpdates) != 0 {
		t.Errorf("validator updates %#v, want an empty non-nil list", resp.ValidatorUpdates)
	}
	js, err := cmtjson.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(js), `"validator_updates":[]`) {
		t.Errorf("FinalizeBlock response JSON %s lacks \"validator_updates\":[]", js)
	}
}

// TestValidatorKeyErrors checks that key decoding is crypto/encoding's: an unsupported type
// wraps encoding.ErrUnsupportedKey, a bad length the key package's size error.
func TestValidatorKeyErrors(t *testing.T) {
	if _, err := validatorUpdate(validatorTx{keyType: "sr25519", pubKey: testPubKey("k")}); !errors.Is(err, encoding.ErrUnsupportedKey) {
		t.Errorf("sr25519: %v", err)
	}
	if _, err := validatorUpdate(validatorTx{pubKey: testPubKey("k")[:31]}); !errors.Is(err, ed25519.ErrKeySize) {
		t.Errorf("31-byte key of the default type: %v", err)
	}
	if _, err := pubKeyBytes(cryptoproto.PublicKey{}); !errors.Is(err, encoding.ErrEmptyKey) {
		t.Errorf("empty stored key: %v", err)
	}
}

func TestInitChainRejectsBadKey(t *testing.T) {
	app := NewInMemoryApplication(Options{})
	defer app.Close()
	// CometBFT's own abci-cli "test" sends 33-byte ed25519 keys, which crash its kvstore.
	bad := ed25519Update(make([]byte, 33), 1)
	if _, err := app.InitChain(ctx, &abci.RequestInitChain{Validators: []abci.ValidatorUpdate{bad}}); err == nil {
		t.Fatal("InitChain accepted a 33-byte ed25519 key")
	}
}

func equalUpdate(a, b abci.ValidatorUpdate) bool { return proto.Equal(&a, &b) }
