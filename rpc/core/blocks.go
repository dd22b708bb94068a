package core

import (
	"errors"
	"fmt"

	rpctypes "github.com/ballot-bft/ballot/rpc/jsonrpc/types"
	"github.com/ballot-bft/ballot/state"
	"github.com/ballot-bft/ballot/types"
)

// blockchainLimit is the most block metas blockchain returns.
const blockchainLimit = 20

// BlockchainInfo returns the metas of the blocks from maxHeight (default: latest) down to
// minHeight (default: 1), at most 20, newest first.
func (env *Environment) BlockchainInfo(_ *rpctypes.Context, minHeight, maxHeight int64) (*ResultBlockchainInfo, error) {
	latest := env.BlockStore.Height()
	minHeight, maxHeight, err := heightRange(env.BlockStore.Base(), latest, minHeight, maxHeight, blockchainLimit)
	if err != nil {
		return nil, err
	}
	metas := make([]*types.BlockMeta, 0, maxHeight-minHeight+1)
	for h := maxHeight; h >= minHeight; h-- {
		meta, err := env.BlockStore.LoadBlockMeta(h)
		if err != nil {
			return nil, fmt.Errorf("loading block meta %d: %w", h, err)
		}
		metas = append(metas, meta)
	}
	return &ResultBlockchainInfo{LastHeight: latest, BlockMetas: metas}, nil
}

// Block returns the block at height (default: latest) with its ID.
func (env *Environment) Block(_ *rpctypes.Context, height *int64) (*ResultBlock, error) {
	h, err := env.height(height, env.BlockStore.Height())
	if err != nil {
		return nil, err
	}
	meta, err := env.BlockStore.LoadBlockMeta(h)
	if err != nil {
		return nil, fmt.Errorf("loading block meta %d: %w", h, err)
	}
	block, err := env.BlockStore.LoadBlock(h)
	if err != nil {
		return nil, fmt.Errorf("loading block %d: %w", h, err)
	}
	return &ResultBlock{BlockID: meta.BlockID, Block: blockJSON(block)}, nil
}

// BlockByHash returns the block with hash; an unknown hash gives an empty result, not an error.
func (env *Environment) BlockByHash(_ *rpctypes.Context, hash []byte) (*ResultBlock, error) {
	meta, err := env.BlockStore.LoadBlockMetaByHash(hash)
	if err != nil {
		return &ResultBlock{}, nil
	}
	block, err := env.BlockStore.LoadBlock(meta.Header.Height)
	if err != nil {
		return nil, fmt.Errorf("loading block %d: %w", meta.Header.Height, err)
	}
	return &ResultBlock{BlockID: meta.BlockID, Block: blockJSON(block)}, nil
}

// Header returns the header at height (default: latest).
func (env *Environment) Header(_ *rpctypes.Context, height *int64) (*ResultHeader, error) {
	h, err := env.height(height, env.BlockStore.Height())
	if err != nil {
		return nil, err
	}
	meta, err := env.BlockStore.LoadBlockMeta(h)
	if err != nil {
		return &ResultHeader{}, nil
	}
	return &ResultHeader{Header: &meta.Header}, nil
}

// HeaderByHash returns the header of the block with hash; unknown gives {"header": null}.
func (env *Environment) HeaderByHash(_ *rpctypes.Context, hash []byte) (*ResultHeader, error) {
	meta, err := env.BlockStore.LoadBlockMetaByHash(hash)
	if err != nil {
		return &ResultHeader{}, nil
	}
	return &ResultHeader{Header: &meta.Header}, nil
}

// Commit returns the header and commit of height (default: latest). Below the store height the
// commit is the canonical one carried by the next block; at the store height it is the commit
// this node saw.
func (env *Environment) Commit(_ *rpctypes.Context, height *int64) (*ResultCommit, error) {
	latest := env.BlockStore.Height()
	h, err := env.height(height, latest)
	if err != nil {
		return nil, err
	}
	meta, err := env.BlockStore.LoadBlockMeta(h)
	if err != nil {
		return nil, fmt.Errorf("loading block meta %d: %w", h, err)
	}
	canonical := h < latest
	var commit *types.Commit
	if canonical {
		commit, err = env.BlockStore.LoadBlockCommit(h)
	} else {
		commit, err = env.BlockStore.LoadSeenCommit(h)
	}
	if err != nil {
		return nil, fmt.Errorf("loading commit %d: %w", h, err)
	}
	return &ResultCommit{
		SignedHeader: types.SignedHeader{Header: &meta.Header, Commit: commit},
		Canonical:    canonical,
	}, nil
}

// BlockResults returns the FinalizeBlock response of height (default: the latest executed
// block).
func (env *Environment) BlockResults(_ *rpctypes.Context, height *int64) (*ResultBlockResults, error) {
	latest := env.BlockStore.Height()
	if height == nil {
		latest = env.executedHeight()
	}
	h, err := env.height(height, latest)
	if err != nil {
		return nil, err
	}
	resp, err := env.StateStore.LoadFinalizeBlockResponse(h)
	switch {
	case errors.Is(err, state.ErrFinalizeBlockResponsesNotPersisted):
		return nil, state.ErrFinalizeBlockResponsesNotPersisted
	case errors.Is(err, state.ErrNotFound):
		return nil, fmt.Errorf("could not find results for height #%d", h)
	case err != nil:
		return nil, err
	}
	return &ResultBlockResults{
		Height:                h,
		TxsResults:            resp.TxResults,
		FinalizeBlockEvents:   resp.Events,
		ValidatorUpdates:      resp.ValidatorUpdates,
		ConsensusParamUpdates: resp.ConsensusParamUpdates,
		AppHash:               resp.AppHash,
	}, nil
}

// Validators returns one page of the validator set of height (default: the next height).
func (env *Environment) Validators(_ *rpctypes.Context, height *int64, page, perPageParam *int) (*ResultValidators, error) {
	h, err := env.height(height, env.latestUncommittedHeight())
	if err != nil {
		return nil, err
	}
	vals, err := env.StateStore.LoadValidators(h)
	if err != nil {
		return nil, err
	}
	total := len(vals.Validators)
	from, to, err := pageBounds(page, perPage(perPageParam), total)
	if err != nil {
		return nil, err
	}
	onPage := vals.Validators[from:to:to]
	return &ResultValidators{BlockHeight: h, Validators: onPage, Count: len(onPage), Total: total}, nil
}

// ConsensusParams returns the consensus params of height (default: the next height).
func (env *Environment) ConsensusParams(_ *rpctypes.Context, height *int64) (*ResultConsensusParams, error) {
	h, err := env.height(height, env.latestUncommittedHeight())
	if err != nil {
		return nil, err
	}
	params, err := env.StateStore.LoadConsensusParams(h)
	if err != nil {
		return nil, err
	}
	return &ResultConsensusParams{BlockHeight: h, ConsensusParams: params}, nil
}

// DumpConsensusState returns the consensus round state and each peer's consensus state.
func (env *Environment) DumpConsensusState(*rpctypes.Context) (*ResultDumpConsensusState, error) {
	peers := []PeerStateInfo{}
	if env.P2P != nil {
		peers = append(peers, env.P2P.PeerStates()...)
	}
	rs := *env.Consensus.RoundState()
	rs.ProposalBlock, rs.LockedBlock, rs.ValidBlock = blockJSON(rs.ProposalBlock), blockJSON(rs.LockedBlock), blockJSON(rs.ValidBlock)
	return &ResultDumpConsensusState{RoundState: &rs, Peers: peers}, nil
}

// GetConsensusState returns the short form of the consensus round state (consensus_state).
func (env *Environment) GetConsensusState(*rpctypes.Context) (*ResultConsensusState, error) {
	return &ResultConsensusState{RoundState: env.Consensus.RoundState().Simple()}, nil
}

// blockJSON returns b as CometBFT writes a block: an empty transaction or evidence list is [],
// never null. b is shared and left unmodified; the copy is shallow.
func blockJSON(b *types.Block) *types.Block {
	if b == nil || (b.Data.Txs != nil && b.Evidence.Evidence != nil) {
		return b
	}
	c := *b
	if c.Data.Txs == nil {
		c.Data.Txs = types.Txs{}
	}
	if c.Evidence.Evidence == nil {
		c.Evidence.Evidence = types.EvidenceList{}
	}
	return &c
}
