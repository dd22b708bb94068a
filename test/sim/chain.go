package sim

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/ballot-bft/ballot/consensus/core"
	"github.com/ballot-bft/ballot/crypto"
	"github.com/ballot-bft/ballot/crypto/merkle"
	tmversion "github.com/ballot-bft/ballot/proto/tendermint/version"
	"github.com/ballot-bft/ballot/types"
)

// errInvalidBlock wraps every error of chain.validate.
var errInvalidBlock = errors.New("invalid block")

// genesis is what every node of a run starts from.
type genesis struct {
	chainID       string
	time          time.Time
	validators    *types.ValidatorSet
	params        *types.ConsensusParams
	consensusHash []byte
	appHash       []byte
}

// blockVersion is the header version of every block.
var blockVersion = tmversion.Consensus{Block: types.BlockProtocol}

// storedBlock is a block-store entry: the block, its parts and the commit this node saw for it.
type storedBlock struct {
	block      *types.Block
	parts      *types.PartSet
	seenCommit *types.ExtendedCommit
}

// chain is a node's durable chain: its block store and its state after the last committed
// block. It survives crashes. Fields holding slices and sets are replaced, never modified, so a
// validator closure may keep them.
type chain struct {
	g      *genesis
	blocks map[int64]*storedBlock

	height          int64 // last committed height; 0 before the first block
	lastBlockID     types.BlockID
	lastBlockTime   time.Time
	appHash         []byte // after height
	appHashChanged  bool   // the block at height changed the app hash
	lastResultsHash []byte
	validators      *types.ValidatorSet // decide height+1 (round-0 priorities)
	lastValidators  *types.ValidatorSet // decided height; nil at genesis
	validatorsHash  []byte
}

func newChain(g *genesis) *chain {
	return &chain{
		g:               g,
		blocks:          map[int64]*storedBlock{},
		appHash:         g.appHash,
		lastResultsHash: merkle.HashFromByteSlices(nil),
		validators:      g.validators,
		validatorsHash:  g.validators.Hash(),
	}
}

// next describes height+1 for the consensus machine.
func (c *chain) next() core.Height {
	h := core.Height{
		ChainID:        c.g.chainID,
		Height:         c.height + 1,
		InitialHeight:  1,
		Validators:     c.validators,
		LastValidators: c.lastValidators,
		BlockMaxBytes:  c.g.params.Block.MaxBytes,
		NeedProofBlock: c.height == 0 || c.appHashChanged,
		ValidateBlock:  c.validator(),
	}
	if b := c.blocks[c.height]; b != nil {
		h.LastCommit = b.seenCommit
	}
	return h
}

// makeBlock builds the block of height c.height+1 with txs, lastCommit (nil at the initial
// height) and proposer, as the state's block executor does.
func (c *chain) makeBlock(txs types.Txs, lastCommit *types.Commit, proposer crypto.Address) (*types.Block, *types.PartSet, error) {
	commit := &types.Commit{}
	blockTime := c.g.time
	if lastCommit != nil {
		commit = lastCommit
		blockTime = types.MedianTime(commit, c.lastValidators)
	}
	block := types.MakeBlock(c.height+1, txs, commit, nil)
	block.Header.Populate(blockVersion, c.g.chainID, blockTime, c.lastBlockID,
		c.validatorsHash, c.validatorsHash, c.g.consensusHash, c.appHash, c.lastResultsHash, proposer)
	parts, err := block.MakePartSet(types.BlockPartSizeBytes)
	if err != nil {
		return nil, nil, fmt.Errorf("sim: block parts: %w", err)
	}
	return block, parts, nil
}

// validator returns the chain-state check of a proposed block at height c.height+1, a pure
// function of the block over a snapshot of the state.
func (c *chain) validator() func(*types.Block, time.Time) error {
	snap := *c
	snap.blocks = nil // not needed, and the store keeps growing
	return func(b *types.Block, _ time.Time) error { return snap.validate(b) }
}

// validate is the state's ValidateBlock (consensus.md §8) without evidence and clock-drift
// checks: the simulated nodes share one clock.
func (c *chain) validate(b *types.Block) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w at height %d: %s", errInvalidBlock, c.height+1, fmt.Sprintf(format, args...))
	}
	if err := b.ValidateBasic(); err != nil {
		return bad("%v", err)
	}
	h := c.height + 1
	switch {
	case b.Version != blockVersion:
		return bad("version %v", b.Version)
	case b.ChainID != c.g.chainID:
		return bad("chain %q", b.ChainID)
	case b.Height != h:
		return bad("height %d", b.Height)
	case !b.LastBlockID.Equals(c.lastBlockID):
		return bad("last block %v, want %v", b.LastBlockID, c.lastBlockID)
	case !bytes.Equal(b.AppHash, c.appHash):
		return bad("app hash %X, want %X", []byte(b.AppHash), c.appHash)
	case !bytes.Equal(b.ValidatorsHash, c.validatorsHash) || !bytes.Equal(b.NextValidatorsHash, c.validatorsHash):
		return bad("validators hash %X / %X", []byte(b.ValidatorsHash), []byte(b.NextValidatorsHash))
	case !bytes.Equal(b.ConsensusHash, c.g.consensusHash):
		return bad("consensus hash %X", []byte(b.ConsensusHash))
	case !bytes.Equal(b.LastResultsHash, c.lastResultsHash):
		return bad("last results hash %X, want %X", []byte(b.LastResultsHash), c.lastResultsHash)
	case !c.validators.HasAddress(b.ProposerAddress):
		return bad("proposer %X is not a validator", []byte(b.ProposerAddress))
	}
	if h == 1 {
		if len(b.LastCommit.Signatures) != 0 {
			return bad("non-empty last commit at the initial height")
		}
		if !b.Time.Equal(c.g.time) {
			return bad("time %v, want the genesis time %v", b.Time, c.g.time)
		}
		return nil
	}
	if err := c.lastValidators.VerifyCommit(c.g.chainID, c.lastBlockID, h-1, b.LastCommit); err != nil {
		return bad("last commit: %v", err)
	}
	if median := types.MedianTime(b.LastCommit, c.lastValidators); !b.Time.Equal(median) {
		return bad("time %v, want the median %v", b.Time, median)
	}
	if !b.Time.After(c.lastBlockTime) {
		return bad("time %v not after the last block's %v", b.Time, c.lastBlockTime)
	}
	return nil
}

// commit saves block (if not stored yet), applies it to a and advances the state.
func (c *chain) commit(block *types.Block, parts *types.PartSet, seen *types.ExtendedCommit, a *app) {
	if block.Height != c.height+1 {
		panic(fmt.Sprintf("sim: committing height %d on a chain at %d", block.Height, c.height))
	}
	if _, ok := c.blocks[block.Height]; !ok {
		c.blocks[block.Height] = &storedBlock{block: block, parts: parts, seenCommit: seen}
	}
	c.height = block.Height
	c.lastBlockID = types.BlockID{Hash: block.Hash(), PartSetHeader: parts.Header()}
	c.lastBlockTime = block.Time
	prev := c.appHash
	c.appHash = a.apply(block.Height, block.Txs)
	c.appHashChanged = !bytes.Equal(prev, c.appHash)
	c.lastResultsHash = resultsHash(block.Txs)
	c.lastValidators = c.validators
	c.validators = c.validators.CopyIncrementProposerPriority(1)
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
