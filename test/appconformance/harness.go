package appconformance

import (
	"bytes"
	"context"
	"fmt"

	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	"github.com/ballot-bft/ballot/version"
)

// harness runs one scripted chain against the apps. It is used by one goroutine.
type harness struct {
	cfg   Config
	chain *chain
	apps  []*app
	mp    *mempool
	rep   Report

	initReq  *abci.RequestInitChain
	initHash []byte  // InitChain's app hash
	history  []block // history[h-1] is height h
	height   int64   // last committed height
	appHash  []byte  // app hash after height (InitChain's at 0)
	extended [][]byte
}

// block is a committed height as the harness recorded it, for replays after the restart.
type block struct {
	req *abci.RequestFinalizeBlock
	res *abci.ResponseFinalizeBlock // the first app's answer
}

// Run drives the apps through the chain Config describes and checks them. It returns a
// *Failure for a violated rule, another error when the apps cannot be reached, or the report.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	h := &harness{cfg: cfg, chain: newChain(cfg.Seed, cfg.BallotOps), mp: newMempool(), rep: Report{Seed: cfg.Seed}}
	for i, addr := range cfg.Apps {
		h.apps = append(h.apps, &app{name: fmt.Sprintf("app%d", i+1), addr: addr})
	}
	defer h.closeAll()
	if err := h.connectAll(ctx); err != nil {
		return nil, err
	}
	if err := h.initChain(ctx); err != nil {
		return nil, err
	}
	for height := int64(1); height <= int64(cfg.Heights); height++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := h.runHeight(ctx, height); err != nil {
			return nil, err
		}
		if height == int64(cfg.RestartAt) {
			if err := h.restart(ctx); err != nil {
				return nil, err
			}
		}
	}
	if err := h.finish(ctx); err != nil {
		return nil, err
	}
	h.rep.Heights, h.rep.AppHash = h.height, h.appHash
	fmt.Fprintln(cfg.Log, h.rep.String())
	return &h.rep, nil
}

func (h *harness) fail(height int64, a *app, format string, args ...any) error {
	f := &Failure{Seed: h.cfg.Seed, Height: height, Rule: fmt.Sprintf(format, args...)}
	if a != nil {
		f.App = a.name + " (" + a.addr + ")"
	}
	return f
}

// callErr reports an ABCI call that failed: the connection broke or the app sent an exception.
func (h *harness) callErr(height int64, a *app, call string, err error) error {
	return h.fail(height, a, "%s failed: %v", call, err)
}

func (h *harness) connectAll(ctx context.Context) error {
	for _, a := range h.apps {
		if err := a.connect(ctx, h.cfg); err != nil {
			return err
		}
	}
	return nil
}

func (h *harness) closeAll() {
	for _, a := range h.apps {
		_ = a.close()
	}
}

func infoRequest() *abci.RequestInfo {
	return &abci.RequestInfo{Version: version.CometBFT, BlockVersion: version.BlockProtocol,
		P2PVersion: version.P2PProtocol, AbciVersion: version.ABCI}
}

// initChain checks the apps start empty and sends them the genesis.
func (h *harness) initChain(ctx context.Context) error {
	for _, a := range h.apps {
		info, err := a.query().Info(ctx, infoRequest())
		if err != nil {
			return h.callErr(0, a, "Info", err)
		}
		if info.LastBlockHeight != 0 {
			return h.fail(0, a, "the app is at height %d; the harness needs apps without state", info.LastBlockHeight)
		}
	}
	h.initReq = h.chain.initChain()
	if h.cfg.NoVoteExtensions {
		h.initReq.ConsensusParams.Abci.VoteExtensionsEnableHeight = 0
	}
	var first *abci.ResponseInitChain
	for _, a := range h.apps {
		res, err := a.consensus().InitChain(ctx, h.initReq)
		if err != nil {
			return h.callErr(0, a, "InitChain", err)
		}
		if first == nil {
			first = res
			continue
		}
		if !bytes.Equal(res.AppHash, first.AppHash) || len(res.Validators) != len(first.Validators) {
			return h.fail(0, a, "InitChain answers differ: app hash %X vs %X, %d vs %d validators",
				first.AppHash, res.AppHash, len(first.Validators), len(res.Validators))
		}
	}
	h.appHash, h.initHash = first.AppHash, first.AppHash
	return nil
}

// runHeight runs one height: new transactions through CheckTx, a proposal, its processing
// (with a rejected round now and then), vote extensions, FinalizeBlock, Commit, the checks of
// Info and queries, and the recheck of the mempool.
func (h *harness) runHeight(ctx context.Context, height int64) error {
	c := h.chain
	c.advance(height)
	if err := h.checkNew(ctx, height, c.txs(h.cfg.MaxTxsPerBlock, h.mp)); err != nil {
		return err
	}
	lastCommit := c.commitInfo(height)
	misbehavior := c.misbehavior(height)
	proposerIdx := int(height-1) % len(h.apps)
	proposer := h.apps[proposerIdx]
	proposerAddr := address(c.genesisPub[proposerIdx])
	nextVals := c.digest("next validators", height)
	reaped := append([][]byte(nil), h.mp.txs[:c.rng.IntN(len(h.mp.txs)+1)]...)

	if c.rng.IntN(8) == 0 {
		if err := h.badRound(ctx, height, reaped, lastCommit); err != nil {
			return err
		}
	}

	prep, err := proposer.consensus().PrepareProposal(ctx, &abci.RequestPrepareProposal{
		MaxTxBytes:         maxTxBytes,
		Txs:                reaped,
		LocalLastCommit:    h.extendedCommit(lastCommit),
		Misbehavior:        misbehavior,
		Height:             height,
		Time:               c.blockTime(height),
		NextValidatorsHash: nextVals,
		ProposerAddress:    proposerAddr,
	})
	if err != nil {
		return h.callErr(height, proposer, "PrepareProposal", err)
	}
	if size := protoTxsSize(prep.Txs); size > maxTxBytes {
		return h.fail(height, proposer, "PrepareProposal returned %d bytes of transactions, over max_tx_bytes %d", size, maxTxBytes)
	}
	txs := prep.Txs
	blockHash := c.digest("block", height, txs)
	process := &abci.RequestProcessProposal{Txs: txs, ProposedLastCommit: lastCommit, Misbehavior: misbehavior,
		Hash: blockHash, Height: height, Time: c.blockTime(height), NextValidatorsHash: nextVals, ProposerAddress: proposerAddr}
	for _, a := range h.apps {
		res, err := a.consensus().ProcessProposal(ctx, process)
		if err != nil {
			return h.callErr(height, a, "ProcessProposal", err)
		}
		if res.Status != abci.ResponseProcessProposal_ACCEPT {
			return h.fail(height, a, "ProcessProposal answered %v to the block %s prepared (txs %q)", res.Status, proposer.name, txs)
		}
	}
	if !h.cfg.NoVoteExtensions {
		if err := h.voteExtensions(ctx, height, process); err != nil {
			return err
		}
	}

	finalize := &abci.RequestFinalizeBlock{Txs: txs, DecidedLastCommit: lastCommit, Misbehavior: misbehavior,
		Hash: blockHash, Height: height, Time: c.blockTime(height), NextValidatorsHash: nextVals, ProposerAddress: proposerAddr}
	res, err := h.finalizeAndCommit(ctx, height, finalize, nil)
	if err != nil {
		return err
	}
	h.history = append(h.history, block{req: finalize, res: res})
	h.rep.Txs += len(txs)
	c.updates[height] = res.ValidatorUpdates

	included := map[string]bool{}
	for _, tx := range txs {
		included[string(tx)] = true
	}
	for _, tx := range reaped {
		included[string(tx)] = true // the proposer had its chance: drop what it left out or rewrote
	}
	h.mp.remove(func(tx []byte) bool { return included[string(tx)] })
	if err := h.recheck(ctx, height); err != nil {
		return err
	}
	if err := h.queryKeys(ctx, height, pick(c, keys(), 3)); err != nil {
		return err
	}
	fmt.Fprintf(h.cfg.Log, "height %d: %d txs, app hash %X, mempool %d\n", height, len(txs), h.appHash, len(h.mp.txs))
	return nil
}

// finalizeAndCommit sends the block to every app, compares the answers (with want, the
// recorded answer, during a replay), commits, and checks Info reports the new height and hash.
func (h *harness) finalizeAndCommit(ctx context.Context, height int64, req *abci.RequestFinalizeBlock, want *abci.ResponseFinalizeBlock) (*abci.ResponseFinalizeBlock, error) {
	first := want
	for _, a := range h.apps {
		res, err := a.consensus().FinalizeBlock(ctx, req)
		if err != nil {
			return nil, h.callErr(height, a, "FinalizeBlock", err)
		}
		if err := wellFormedFinalize(req, res); err != nil {
			return nil, h.fail(height, a, "%v", err)
		}
		if first == nil {
			first = res
			continue
		}
		if err := sameFinalize(first, res, h.cfg.Strict); err != nil {
			return nil, h.fail(height, a, "FinalizeBlock disagrees with %s: %v", h.apps[0].name, err)
		}
	}
	for _, a := range h.apps {
		if err := a.mempool().Flush(ctx); err != nil {
			return nil, h.callErr(height, a, "Flush (mempool)", err)
		}
		res, err := a.consensus().Commit(ctx, &abci.RequestCommit{})
		if err != nil {
			return nil, h.callErr(height, a, "Commit", err)
		}
		if res.RetainHeight < 0 || res.RetainHeight > height {
			return nil, h.fail(height, a, "Commit retain_height %d outside [0, %d]", res.RetainHeight, height)
		}
	}
	h.height, h.appHash = height, first.AppHash
	return first, h.checkInfo(ctx, height)
}

// checkInfo checks every app reports the last committed height and app hash.
func (h *harness) checkInfo(ctx context.Context, height int64) error {
	for _, a := range h.apps {
		info, err := a.query().Info(ctx, infoRequest())
		if err != nil {
			return h.callErr(height, a, "Info", err)
		}
		if info.LastBlockHeight != h.height || !bytes.Equal(info.LastBlockAppHash, h.appHash) {
			return h.fail(height, a, "Info reports height %d app hash %X; the last commit was height %d app hash %X",
				info.LastBlockHeight, info.LastBlockAppHash, h.height, h.appHash)
		}
	}
	return nil
}
