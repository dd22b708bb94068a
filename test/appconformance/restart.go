package appconformance

import (
	"bytes"
	"context"
	"fmt"

	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// restart closes every app's connections, lets Config.Restart restart the app, reconnects and
// performs the node's handshake: Info, then InitChain and a replay of the stored blocks when
// the app reports a lower height than the last commit (abci.md §3), after which the chain
// resumes from the reported height.
func (h *harness) restart(ctx context.Context) error {
	h.rep.Restarted = true
	last, lastHash := h.height, h.appHash
	for i, a := range h.apps {
		if err := a.close(); err != nil {
			return h.fail(last, a, "a connection broke before the restart: %v", err)
		}
		if h.cfg.Restart != nil {
			if err := h.cfg.Restart(ctx, i); err != nil {
				return fmt.Errorf("restarting %s: %w", a.name, err)
			}
		}
		if err := a.connect(ctx, h.cfg); err != nil {
			return err
		}
	}
	for _, a := range h.apps {
		info, err := a.query().Info(ctx, infoRequest())
		if err != nil {
			return h.callErr(last, a, "Info", err)
		}
		switch {
		case info.LastBlockHeight > last:
			return h.fail(last, a, "after the restart Info reports height %d, above the last commit %d", info.LastBlockHeight, last)
		case info.LastBlockHeight < 0:
			return h.fail(last, a, "after the restart Info reports height %d", info.LastBlockHeight)
		case info.LastBlockHeight == last && !bytes.Equal(info.LastBlockAppHash, lastHash):
			return h.fail(last, a, "after the restart Info reports app hash %X at height %d, committed %X", info.LastBlockAppHash, last, lastHash)
		case info.LastBlockHeight < last:
			if err := h.replay(ctx, a, info.LastBlockHeight); err != nil {
				return err
			}
		}
	}
	fmt.Fprintf(h.cfg.Log, "restarted after height %d (replayed %d blocks)\n", last, h.rep.Replayed)
	return h.checkInfo(ctx, last)
}

// replay brings one app from height from to the last commit with the recorded blocks,
// checking it reproduces the recorded answers.
func (h *harness) replay(ctx context.Context, a *app, from int64) error {
	last := h.height
	if from == 0 {
		res, err := a.consensus().InitChain(ctx, h.initReq)
		if err != nil {
			return h.callErr(0, a, "InitChain (replay)", err)
		}
		if !bytes.Equal(res.AppHash, h.initHash) {
			return h.fail(0, a, "InitChain (replay) returned app hash %X, at genesis %X", res.AppHash, h.initHash)
		}
	}
	for height := from + 1; height <= last; height++ {
		b := h.history[height-1]
		res, err := a.consensus().FinalizeBlock(ctx, b.req)
		if err != nil {
			return h.callErr(height, a, "FinalizeBlock (replay)", err)
		}
		if err := sameFinalize(b.res, res, h.cfg.Strict); err != nil {
			return h.fail(height, a, "replayed FinalizeBlock differs from the original: %v", err)
		}
		if _, err := a.consensus().Commit(ctx, &abci.RequestCommit{}); err != nil {
			return h.callErr(height, a, "Commit (replay)", err)
		}
		h.rep.Replayed++
	}
	return nil
}

// finish checks the end state: Info, every key, and the snapshot lists.
func (h *harness) finish(ctx context.Context) error {
	if err := h.checkInfo(ctx, h.height); err != nil {
		return err
	}
	if err := h.queryKeys(ctx, h.height, keys()); err != nil {
		return err
	}
	var first *abci.ResponseListSnapshots
	for _, a := range h.apps {
		res, err := a.snapshot().ListSnapshots(ctx, &abci.RequestListSnapshots{})
		if err != nil {
			return h.callErr(h.height, a, "ListSnapshots", err)
		}
		for _, s := range res.Snapshots {
			if s == nil || s.Height == 0 || s.Height > uint64(h.height) || s.Chunks == 0 {
				return h.fail(h.height, a, "ListSnapshots lists an unusable snapshot %v", s)
			}
		}
		if first == nil {
			first = res
			h.rep.Snapshots = len(res.Snapshots)
			continue
		}
		if h.cfg.Strict && len(first.Snapshots) != len(res.Snapshots) {
			return h.fail(h.height, a, "ListSnapshots lists %d snapshots, %s %d", len(res.Snapshots), h.apps[0].name, len(first.Snapshots))
		}
	}
	return nil
}
