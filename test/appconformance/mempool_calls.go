package appconformance

import (
	"context"

	"github.com/ballot-bft/ballot/abci/client"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// checkTxs sends txs to every app's mempool connection as the node does — pipelined, then a
// Flush — and returns the first app's answers after checking the others agree.
func (h *harness) checkTxs(ctx context.Context, height int64, txs [][]byte, typ abci.CheckTxType) ([]*abci.ResponseCheckTx, error) {
	var first []*abci.ResponseCheckTx
	for _, a := range h.apps {
		pending := make([]*client.ReqRes, len(txs))
		for i, tx := range txs {
			rr, err := a.mempool().CheckTxAsync(ctx, &abci.RequestCheckTx{Tx: tx, Type: typ}, nil)
			if err != nil {
				return nil, h.callErr(height, a, "CheckTx", err)
			}
			pending[i] = rr
		}
		if err := a.mempool().Flush(ctx); err != nil {
			return nil, h.callErr(height, a, "Flush (mempool)", err)
		}
		answers := make([]*abci.ResponseCheckTx, len(txs))
		for i, rr := range pending {
			res, err := rr.Wait(ctx)
			if err != nil {
				return nil, h.callErr(height, a, "CheckTx", err)
			}
			answers[i] = res.GetCheckTx()
			if answers[i] == nil {
				return nil, h.fail(height, a, "CheckTx answered with %T", res.Value)
			}
			if err := wellFormedCheckTx(answers[i]); err != nil {
				return nil, h.fail(height, a, "%v", err)
			}
		}
		if first == nil {
			first = answers
			continue
		}
		for i := range txs {
			if err := sameCheckTx(first[i], answers[i], h.cfg.Strict); err != nil {
				return nil, h.fail(height, a, "CheckTx %v of %q disagrees with %s: %v", typ, txs[i], h.apps[0].name, err)
			}
		}
	}
	h.rep.CheckTxs += len(txs)
	return first, nil
}

// checkNew admits the new transactions CheckTx accepts into the mempool.
func (h *harness) checkNew(ctx context.Context, height int64, txs [][]byte) error {
	answers, err := h.checkTxs(ctx, height, txs, abci.CheckTxType_New)
	if err != nil {
		return err
	}
	for i, res := range answers {
		if res.Code == 0 {
			h.mp.add(txs[i])
		} else {
			h.rep.Rejected++
		}
	}
	return nil
}

// recheck re-validates the mempool after a commit and evicts what fails.
func (h *harness) recheck(ctx context.Context, height int64) error {
	txs := append([][]byte(nil), h.mp.txs...)
	answers, err := h.checkTxs(ctx, height, txs, abci.CheckTxType_Recheck)
	if err != nil {
		return err
	}
	evict := map[string]bool{}
	for i, res := range answers {
		if res.Code != 0 {
			evict[string(txs[i])] = true
			h.rep.Evicted++
		}
	}
	h.mp.remove(func(tx []byte) bool { return evict[string(tx)] })
	return nil
}

// queryKeys compares every app's answer to a query of each key at the latest height.
func (h *harness) queryKeys(ctx context.Context, height int64, keys []string) error {
	for _, k := range keys {
		req := &abci.RequestQuery{Path: "/store", Data: []byte(k)}
		var first *abci.ResponseQuery
		for _, a := range h.apps {
			res, err := a.query().Query(ctx, req)
			if err != nil {
				return h.callErr(height, a, "Query", err)
			}
			if first == nil {
				first = res
				continue
			}
			if err := sameQuery(first, res, h.cfg.Strict); err != nil {
				return h.fail(height, a, "Query %q disagrees with %s: %v", k, h.apps[0].name, err)
			}
		}
		h.rep.Queries++
	}
	return nil
}

// pick returns n distinct random elements of from.
func pick(c *chain, from []string, n int) []string {
	idx := c.rng.Perm(len(from))
	out := make([]string, 0, n)
	for _, i := range idx[:min(n, len(from))] {
		out = append(out, from[i])
	}
	return out
}
