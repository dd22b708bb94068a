package kvstore

import (
	"bytes"
	"context"
	"fmt"
	"sort"

	dbm "github.com/cometbft/cometbft-db"

	"github.com/ballot-bft/ballot/libs/fail"
	"github.com/ballot-bft/ballot/libs/log"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// pendingBlock is the effect of a finalized block, applied to the database by Commit.
type pendingBlock struct {
	height     int64
	writes     map[string][]byte // key → new value
	valUpdates []abci.ValidatorUpdate
	size       int64 // state size after the block
}

// FinalizeBlock executes a block on top of the committed state; nothing is written until
// Commit. Later transactions see the writes of earlier ones. Every transaction, valid or not,
// counts in the size and so changes the app hash (CometBFT's rule); results per kind:
//
//	set ("k=v" or "k:v")     code 0; k := v
//	validator update         code 0 and an entry in validator_updates; code 2 for an
//	                         unsupported key type or a key of the wrong length
//	get:<key>:<nonce>        code 0; data = the value (empty when absent); log "exists" or
//	                         "does not exist"
//	cas:<k>:<exp>:<new>[:n]  code 0 and k := new when k's value equals exp (empty exp: k is
//	                         absent), else CodeTypeCASMismatch; data = the value before
//	anything else            code 2 (CodeTypeInvalidTxFormat), log says why
//
// Each result carries CometBFT's two "app" events. A DUPLICATE_VOTE misbehavior lowers the
// validator's power by one (an unknown validator is logged and skipped). A height at or below
// the last committed one is an error, except height 0 while nothing above height 0 was committed
// (abci-cli sends height 0; the state then stays at height 0, as CometBFT's does). A second
// FinalizeBlock before Commit replaces the first.
func (app *Application) FinalizeBlock(_ context.Context, req *abci.RequestFinalizeBlock) (*abci.ResponseFinalizeBlock, error) {
	app.mu.Lock()
	defer app.mu.Unlock()

	height := req.Height
	if height < 0 || (height <= app.state.Height && (height != 0 || app.state.Height != 0)) {
		return nil, fmt.Errorf("finalize block: height %d is not above the last committed height %d", height, app.state.Height)
	}
	block := &pendingBlock{
		height: height,
		writes: make(map[string][]byte),
		// Never nil: CometBFT's kvstore answers "validator_updates": [] when there are none,
		// and the NewBlock event shows the response as it is.
		valUpdates: []abci.ValidatorUpdate{},
		size:       app.state.Size,
	}

	punished, err := app.punish(req.Misbehavior)
	if err != nil {
		return nil, err
	}
	block.valUpdates = append(block.valUpdates, punished...)

	results := make([]*abci.ExecTxResult, len(req.Txs))
	for i, tx := range req.Txs {
		res, err := app.execTx(block, tx)
		if err != nil {
			return nil, err
		}
		res.Events = txEvents(tx)
		results[i] = res
		block.size++
	}
	app.pending = block
	return &abci.ResponseFinalizeBlock{
		TxResults:        results,
		ValidatorUpdates: block.valUpdates,
		AppHash:          appHashOfSize(block.size),
	}, nil
}

// execTx applies one transaction to block. Only database failures are errors.
func (app *Application) execTx(block *pendingBlock, tx []byte) (*abci.ExecTxResult, error) {
	p := parseTx(tx)
	switch p.kind {
	case kindSet:
		block.writes[string(p.key)] = append([]byte(nil), p.value...)
		return &abci.ExecTxResult{Code: CodeTypeOK}, nil
	case kindValidator:
		vu, err := validatorUpdate(p.val)
		if err != nil {
			return &abci.ExecTxResult{Code: CodeTypeInvalidTxFormat, Log: "validator update: " + err.Error()}, nil
		}
		block.valUpdates = append(block.valUpdates, vu)
		return &abci.ExecTxResult{Code: CodeTypeOK}, nil
	case kindGet:
		cur, err := app.read(block, p.key)
		if err != nil {
			return nil, err
		}
		return &abci.ExecTxResult{Code: CodeTypeOK, Data: cur, Log: existence(cur)}, nil
	case kindCAS:
		cur, err := app.read(block, p.key)
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(cur, p.expected) {
			return &abci.ExecTxResult{
				Code: CodeTypeCASMismatch,
				Data: cur,
				Log:  fmt.Sprintf("cas: current value %q differs from expected %q", cur, p.expected),
			}, nil
		}
		block.writes[string(p.key)] = append([]byte(nil), p.value...)
		return &abci.ExecTxResult{Code: CodeTypeOK, Data: cur, Log: "swapped"}, nil
	default:
		return &abci.ExecTxResult{Code: CodeTypeInvalidTxFormat, Log: p.err.Error()}, nil
	}
}

func existence(v []byte) string {
	if v == nil {
		return "does not exist"
	}
	return "exists"
}

// read returns key's value as the block sees it: its own writes first, then committed state.
func (app *Application) read(block *pendingBlock, key []byte) ([]byte, error) {
	if v, ok := block.writes[string(key)]; ok {
		return v, nil
	}
	v, err := valueAt(app.db, key, app.state.Height)
	if err != nil {
		return nil, fmt.Errorf("finalize block: %w", err)
	}
	return v, nil
}

// punish returns the updates lowering by one the power of every committed validator that
// cast a duplicate vote.
func (app *Application) punish(misbehavior []abci.Misbehavior) ([]abci.ValidatorUpdate, error) {
	var updates []abci.ValidatorUpdate
	for _, ev := range misbehavior {
		if ev.Type != abci.MisbehaviorType_DUPLICATE_VOTE {
			continue
		}
		v, found, err := app.validatorByAddress(ev.Validator.Address)
		if err != nil {
			return nil, err
		}
		if !found {
			app.logger.Error("cannot punish unknown validator", "address", fmt.Sprintf("%X", ev.Validator.Address))
			continue
		}
		power := max(ev.Validator.Power-1, 0)
		updates = append(updates, abci.ValidatorUpdate{PubKey: v.PubKey, Power: power})
		app.logger.Info("decreased validator power by 1 for equivocation", "address", fmt.Sprintf("%X", ev.Validator.Address))
	}
	return updates, nil
}

func (app *Application) validatorByAddress(addr []byte) (abci.ValidatorUpdate, bool, error) {
	var found abci.ValidatorUpdate
	var ok bool
	err := forEach(app.db, []byte{prefixValidator}, func(_, value []byte) error {
		v, err := decodeValidator(value)
		if err != nil {
			return err
		}
		if a, valid := validatorAddress(v.PubKey); valid && bytes.Equal(a, addr) {
			found, ok = v, true
			return errStop
		}
		return nil
	})
	if err != nil && err != errStop {
		return abci.ValidatorUpdate{}, false, fmt.Errorf("finalize block: validators: %w", err)
	}
	return found, ok, nil
}

// txEvents returns CometBFT's kvstore events for tx: two "app" events whose "key" attributes
// are the key and the value when tx splits on '=' into exactly two parts, else tx twice.
func txEvents(tx []byte) []abci.Event {
	key, value := string(tx), string(tx)
	if parts := bytes.Split(tx, []byte("=")); len(parts) == 2 {
		key, value = string(parts[0]), string(parts[1])
	}
	event := func(creator, keyAttr string) abci.Event {
		return abci.Event{Type: "app", Attributes: []abci.EventAttribute{
			{Key: "creator", Value: creator, Index: true},
			{Key: "key", Value: keyAttr, Index: true},
			{Key: "index_key", Value: "index is working", Index: true},
			{Key: "noindex_key", Value: "index is working", Index: false},
		}}
	}
	return []abci.Event{event("Cosmoshi Netowoko", key), event("Cosmoshi", value)}
}

// Commit durably applies the finalized block in one synced batch — values, validator changes
// and the state record (height, size) together — so a crash leaves either the previous state
// or the new one. It then takes a snapshot when the height is a multiple of
// Options.SnapshotInterval. Commit without a finalized block changes nothing.
func (app *Application) Commit(context.Context, *abci.RequestCommit) (*abci.ResponseCommit, error) {
	app.mu.Lock()
	defer app.mu.Unlock()

	if block := app.pending; block != nil {
		if err := app.commitBlock(block); err != nil {
			return nil, err
		}
		app.pending = nil
		if iv := app.opts.SnapshotInterval; iv > 0 && block.height > 0 && uint64(block.height)%iv == 0 {
			if err := app.takeSnapshot(); err != nil {
				return nil, fmt.Errorf("commit: snapshot at height %d: %w", block.height, err)
			}
		}
	}
	resp := &abci.ResponseCommit{}
	if rb := app.opts.RetainBlocks; rb > 0 && app.state.Height >= rb {
		resp.RetainHeight = app.state.Height - rb + 1
	}
	return resp, nil
}

func (app *Application) commitBlock(block *pendingBlock) error {
	batch := app.db.NewBatch()
	defer batch.Close()
	keys := make([]string, 0, len(block.writes))
	for k := range block.writes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := batch.Set(kvKey([]byte(k), block.height), block.writes[k]); err != nil {
			return fmt.Errorf("commit: %w", err)
		}
	}
	for _, v := range block.valUpdates {
		if err := stageValidator(app.db, batch, v, app.logger); err != nil {
			return fmt.Errorf("commit: validator update: %w", err)
		}
	}
	next := appState{Height: block.height, Size: block.size, Earliest: app.state.Earliest}
	if err := batch.Set(keyState, next.encode()); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	fail.Point("kvstore.beforeCommitWrite")
	if err := batch.WriteSync(); err != nil {
		return fmt.Errorf("commit: write height %d: %w", block.height, err)
	}
	fail.Point("kvstore.afterCommitWrite")
	app.state = next
	return nil
}

// stageValidator adds to batch the write (power > 0) or removal (power 0) of validator v.
func stageValidator(db dbm.DB, batch dbm.Batch, v abci.ValidatorUpdate, logger log.Logger) error {
	pk, err := pubKeyBytes(v.PubKey)
	if err != nil {
		return err
	}
	if v.Power < 0 {
		return fmt.Errorf("negative power %d", v.Power)
	}
	key := validatorKey(pk)
	if v.Power == 0 {
		if has, err := db.Has(key); err == nil && !has {
			logger.Info("tried to remove non-existent validator; skipping", "pubkey", fmt.Sprintf("%X", pk))
		}
		return batch.Delete(key)
	}
	return batch.Set(key, encodeValidator(v))
}
