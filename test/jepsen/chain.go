package jepsen

import (
	"bytes"
	"context"
	"fmt"
	"slices"
)

// ChainResult is what comparing the nodes' chains over the RPC found.
type ChainResult struct {
	Heights      []int64  // each node's checked height
	Compared     int64    // heights compared (held by at least two nodes)
	Forks        []string // heights at which two nodes hold different blocks
	Broken       []string // a node's block whose last_block_id is not its previous block
	LogMismatch  []string // a block or app hash a node logged as committed that its chain contradicts
	AckedChecked int      // acknowledged transactions looked up in their block
	AckedLost    []string // acknowledged transactions missing from the block they were acknowledged in

	longest int                 // the node with the highest chain
	metas   map[int64]BlockMeta // its block metas
}

// OK reports whether the chains agree and kept every acknowledged transaction.
func (r ChainResult) OK() bool {
	return len(r.Forks) == 0 && len(r.Broken) == 0 && len(r.LogMismatch) == 0 && len(r.AckedLost) == 0
}

// CheckChains reads every node's chain (block metas from height 1 to its latest) over the RPC
// and compares them height by height; it checks each chain's links, every commit each node
// logged in any run (block hash, and the app hash against the next header's), and that every
// acknowledged operation's transaction is in the block of its height.
func CheckChains(ctx context.Context, c *Cluster, ops []Op) (ChainResult, error) {
	var r ChainResult
	chains := make([]map[int64]BlockMeta, len(c.Nodes))
	logged := make([][]Commit, len(c.Nodes)) // read before the chains: all must be in them
	for i, n := range c.Nodes {
		logged[i] = n.Commits()
	}
	for i, n := range c.Nodes {
		st, err := n.RPC.Status(ctx)
		if err != nil {
			return r, fmt.Errorf("status of %s: %w", n.Name, err)
		}
		chain := map[int64]BlockMeta{}
		for lo := int64(1); lo <= st.Height; lo += 20 {
			metas, err := n.RPC.BlockMetas(ctx, lo, min(lo+19, st.Height))
			if err != nil {
				return r, fmt.Errorf("blockchain %d..%d of %s: %w", lo, min(lo+19, st.Height), n.Name, err)
			}
			for _, m := range metas {
				chain[m.Height] = m
			}
		}
		for h := int64(2); h <= st.Height; h++ {
			if m, ok := chain[h]; ok {
				if p, ok := chain[h-1]; ok && m.LastBlockHash != p.Hash {
					r.Broken = append(r.Broken, fmt.Sprintf("%s height %d: last_block_id %s, but block %d is %s", n.Name, h, m.LastBlockHash, h-1, p.Hash))
				}
			}
		}
		chains[i] = chain
		r.Heights = append(r.Heights, st.Height)
	}
	top := slices.Max(r.Heights)
	r.longest = slices.Index(r.Heights, top)
	r.metas = chains[r.longest]
	for h := int64(1); h <= top; h++ {
		first, holders := -1, 0
		for i, chain := range chains {
			m, ok := chain[h]
			if !ok {
				continue
			}
			holders++
			if first < 0 {
				first = i
				continue
			}
			if ref := chains[first][h]; m.Hash != ref.Hash || m.AppHash != ref.AppHash {
				r.Forks = append(r.Forks, fmt.Sprintf("height %d: %s has block %s (app hash %s), %s has %s (app hash %s)",
					h, c.Nodes[first].Name, ref.Hash, ref.AppHash, c.Nodes[i].Name, m.Hash, m.AppHash))
			}
		}
		if holders > 1 {
			r.Compared++
		}
	}
	for i, n := range c.Nodes {
		for _, cm := range logged[i] {
			m, ok := chains[i][cm.Height]
			if !ok {
				r.LogMismatch = append(r.LogMismatch, fmt.Sprintf("%s logged height %d committed (run %d) but its chain ends at %d", n.Name, cm.Height, cm.Run, r.Heights[i]))
				continue
			}
			if m.Hash != cm.Hash {
				r.LogMismatch = append(r.LogMismatch, fmt.Sprintf("%s logged height %d as block %s (run %d), its chain has %s", n.Name, cm.Height, cm.Hash, cm.Run, m.Hash))
			}
			if next, ok := chains[i][cm.Height+1]; ok && next.AppHash != cm.AppHash {
				r.LogMismatch = append(r.LogMismatch, fmt.Sprintf("%s logged app hash %s after height %d (run %d), header %d has %s", n.Name, cm.AppHash, cm.Height, cm.Run, cm.Height+1, next.AppHash))
			}
		}
	}
	return r, checkAckedInBlocks(ctx, c, ops, &r)
}

// checkAckedInBlocks looks every acknowledged transaction up in its block, read from the first
// node that holds the height (the fork check covers the others).
func checkAckedInBlocks(ctx context.Context, c *Cluster, ops []Op, r *ChainResult) error {
	byHeight := map[int64][]Op{}
	for _, o := range ops {
		if o.Status == StatusOK && o.Tx != "" {
			byHeight[o.Height] = append(byHeight[o.Height], o)
		}
	}
	for h, acked := range byHeight {
		var block Block
		var err error
		for i, n := range c.Nodes {
			if r.Heights[i] >= h {
				if block, err = n.RPC.Block(ctx, h); err == nil {
					break
				}
			}
		}
		if err != nil {
			return fmt.Errorf("reading block %d: %w", h, err)
		}
		for _, o := range acked {
			r.AckedChecked++
			if !slices.ContainsFunc(block.Txs, func(tx []byte) bool { return bytes.Equal(tx, []byte(o.Tx)) }) {
				r.AckedLost = append(r.AckedLost, fmt.Sprintf("op #%d %q acknowledged at height %d is not in block %s", o.Index, o.Tx, h, block.Hash))
			}
		}
	}
	slices.Sort(r.AckedLost)
	return nil
}
