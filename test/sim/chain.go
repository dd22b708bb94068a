package sim

import (
	"bytes"
	"fmt"
	"time"

	"github.com/ballot-bft/ballot/consensus/core"
	"github.com/ballot-bft/ballot/crypto"
	"github.com/ballot-bft/ballot/crypto/merkle"
	"github.com/ballot-bft/ballot/state"
	"github.com/ballot-bft/ballot/types"
)

// genesis is what every node of a run starts from.
type genesis struct {
	chainID string
	time    time.Time
	state   state.State // the genesis state (state.MakeGenesisState)
	appHash []byte
	// valUpdatesAtNextHeight breaks the H+2 rule: a test hook (Config.valUpdatesAtNextHeight).
	valUpdatesAtNextHeight bool
}

// newGenesis makes the genesis of a run from its validators' keys and powers.
func newGenesis(chainID string, keys []crypto.PubKey, powers []int64, appHash []byte) (*genesis, error) {
	doc := &types.GenesisDoc{
		GenesisTime:   genesisTime,
		ChainID:       chainID,
		InitialHeight: 1,
		AppHash:       appHash,
	}
	for i, pk := range keys {
		doc.Validators = append(doc.Validators, types.GenesisValidator{PubKey: pk, Power: powers[i], Name: fmt.Sprintf("v%d", i)})
	}
	st, err := state.MakeGenesisState(doc)
	if err != nil {
		return nil, fmt.Errorf("sim: genesis: %w", err)
	}
	return &genesis{chainID: chainID, time: genesisTime, state: st, appHash: appHash}, nil
}

// storedBlock is a block-store entry: the block, its parts and the commit this node saw for it.
type storedBlock struct {
	block      *types.Block
	parts      *types.PartSet
	seenCommit *types.ExtendedCommit
}

// chain is a node's durable chain: its block store and the chain state after the last
// committed block (ballot's state.State, advanced by state.UpdateState). It survives crashes.
// The state is a value whose validator sets are never modified, so a validation closure may
// keep a copy.
type chain struct {
	g      *genesis
	blocks map[int64]*storedBlock
	state  state.State

	height         int64  // last committed height; 0 before the first block
	appHash        []byte // after height
	appHashChanged bool   // the block at height changed the app hash
	// updates are the validator updates the application returned for each height, kept for
	// the checker's H+2 rule.
	updates map[int64][]*types.Validator
}

func newChain(g *genesis) *chain {
	return &chain{g: g, blocks: map[int64]*storedBlock{}, state: g.state, appHash: g.appHash, updates: map[int64][]*types.Validator{}}
}

// validators returns the set that decides height+1, with round-0 proposer priorities.
func (c *chain) validators() *types.ValidatorSet { return c.state.Validators }

// next describes height+1 for the consensus machine.
func (c *chain) next() core.Height {
	st := c.state
	h := core.Height{
		ChainID:                    st.ChainID,
		Height:                     c.height + 1,
		InitialHeight:              st.InitialHeight,
		Validators:                 st.Validators,
		BlockMaxBytes:              st.ConsensusParams.Block.MaxBytes,
		VoteExtensionsEnableHeight: st.ConsensusParams.ABCI.VoteExtensionsEnableHeight,
		NeedProofBlock:             c.height == 0 || c.appHashChanged,
		ValidateBlock: func(b *types.Block, now time.Time) error {
			return state.ValidateBlock(st, b, now, 0)
		},
	}
	if c.height > 0 {
		h.LastValidators = st.LastValidators
		h.LastCommit = c.blocks[c.height].seenCommit
	}
	return h
}

// makeBlock builds the block of height c.height+1 with txs, lastCommit (nil at the initial
// height) and proposer, as the state's block executor does.
func (c *chain) makeBlock(txs types.Txs, lastCommit *types.Commit, proposer crypto.Address) (*types.Block, *types.PartSet, error) {
	if lastCommit == nil {
		lastCommit = &types.Commit{}
	}
	block := c.state.MakeBlock(c.height+1, txs, lastCommit, nil, proposer)
	parts, err := block.MakePartSet(types.BlockPartSizeBytes)
	if err != nil {
		return nil, nil, fmt.Errorf("sim: block parts: %w", err)
	}
	return block, parts, nil
}

// commit saves block (if not stored yet), applies it to a and advances the state. An error
// means the application's validator updates do not apply (a driver violation).
func (c *chain) commit(block *types.Block, parts *types.PartSet, seen *types.ExtendedCommit, a *app) error {
	if block.Height != c.height+1 {
		panic(fmt.Sprintf("sim: committing height %d on a chain at %d", block.Height, c.height))
	}
	if _, ok := c.blocks[block.Height]; !ok {
		c.blocks[block.Height] = &storedBlock{block: block, parts: parts, seenCommit: seen}
	}
	prev := c.appHash
	appHash, updates := a.apply(block.Height, block.Txs)
	id := types.BlockID{Hash: block.Hash(), PartSetHeader: parts.Header()}
	next, err := state.UpdateState(c.state, id, &block.Header, state.BlockResults{
		ValidatorUpdates: updates,
		AppHash:          appHash,
		LastResultsHash:  resultsHash(block.Txs),
	})
	if err != nil {
		return err
	}
	if c.g.valUpdatesAtNextHeight && len(updates) > 0 {
		// Test hook: a broken H+2 rule, applying the updates to the set of the next height.
		next.Validators = next.NextValidators.Copy()
	}
	c.state = next
	c.height = block.Height
	c.appHash = appHash
	c.appHashChanged = !bytes.Equal(prev, appHash)
	if len(updates) > 0 {
		c.updates[block.Height] = updates
	}
	return nil
}

// resultsHash is the simulated LastResultsHash: the Merkle root of the transactions' hashes
// (every transaction of the simulated app succeeds with no data).
func resultsHash(txs types.Txs) []byte {
	leaves := make([][]byte, len(txs))
	for i, tx := range txs {
		leaves[i] = tx.Hash()
	}
	return merkle.HashFromByteSlices(leaves)
}
