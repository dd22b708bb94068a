package state

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/ballot-bft/ballot/abci/appconn"
	"github.com/ballot-bft/ballot/crypto/encoding"
	"github.com/ballot-bft/ballot/crypto/merkle"
	"github.com/ballot-bft/ballot/libs/log"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	"github.com/ballot-bft/ballot/types"
	"github.com/ballot-bft/ballot/version"
)

var (
	// ErrAppHashMismatch is returned by the handshake when the application's app hash differs
	// from the one the node recorded for the same height: the app's state is not the chain's.
	ErrAppHashMismatch = errors.New("app hash mismatch")

	// ErrAppBlockHeightTooLow is returned when the application is below the lowest block the
	// (pruned) block store can replay to it.
	ErrAppBlockHeightTooLow = errors.New("app block height too low for the block store")

	// ErrAppBlockHeightTooHigh is returned when the application is ahead of the block store:
	// it committed blocks this node does not have.
	ErrAppBlockHeightTooHigh = errors.New("app block height is higher than the block store's")

	// ErrStoresInconsistent is returned when the block store and the state store do not fit
	// together (the state ahead of the store, or the store more than one block ahead of the
	// state): the node's own data is damaged. CometBFT panics here.
	ErrStoresInconsistent = errors.New("block store and state store are inconsistent")
)

// AppConns are the application connections the handshake uses: Info on the query connection,
// InitChain and block replay on the consensus connection. *appconn.Conns has them.
type AppConns interface {
	Query() appconn.Query
	Consensus() appconn.Consensus
}

var _ AppConns = (*appconn.Conns)(nil)

// Handshaker brings the application and the node's state to the same height at start-up, before
// consensus starts (abci.md §3, consensus.md §12): ABCI Info, InitChain when the application is
// at height 0, then replay of stored blocks according to the heights of the block store, the
// state and the application. Every inconsistency is an error naming the heights and hashes;
// nothing panics.
//
// A Handshaker is used once, from one goroutine.
type Handshaker struct {
	stateStore Store
	initial    State
	blockStore BlockStore
	genDoc     *types.GenesisDoc
	events     EventPublisher
	logger     log.Logger

	replayed int
}

// NewHandshaker returns a handshaker for the node whose last saved state is st (the genesis
// state when none is saved) in stateStore, whose blocks are in blockStore and whose chain is
// genDoc (completed by ValidateAndComplete). Blocks applied with state updates during the
// handshake publish their events to events (nil: none). A nil logger discards.
func NewHandshaker(stateStore Store, st State, blockStore BlockStore, genDoc *types.GenesisDoc, events EventPublisher, logger log.Logger) *Handshaker {
	if events == nil {
		events = types.NopEventBus{}
	}
	if logger == nil {
		logger = log.NewNop()
	}
	return &Handshaker{stateStore: stateStore, initial: st, blockStore: blockStore, genDoc: genDoc, events: events, logger: logger}
}

// BlocksReplayed returns how many blocks the last Handshake executed on the application.
func (h *Handshaker) BlocksReplayed() int { return h.replayed }

// Handshake asks the application for its height and app hash (Info), initialises it when it is
// at height 0 (InitChain), and replays the stored blocks it lacks. It returns the node's state
// afterwards, which the store holds too whenever the handshake changed it (InitChain at
// genesis, a block applied). Errors wrap ErrAppHashMismatch, ErrAppBlockHeightTooLow,
// ErrAppBlockHeightTooHigh, ErrStoresInconsistent, or report a failed call or load; the node
// must then stop.
func (h *Handshaker) Handshake(ctx context.Context, conns AppConns) (State, error) {
	h.replayed = 0
	info, err := conns.Query().Info(ctx, &abci.RequestInfo{
		Version:      version.CometBFT,
		BlockVersion: version.BlockProtocol,
		P2PVersion:   version.P2PProtocol,
		AbciVersion:  version.ABCI,
	})
	if err != nil {
		return State{}, fmt.Errorf("handshake: Info: %w", err)
	}
	appHeight := info.LastBlockHeight
	if appHeight < 0 {
		return State{}, fmt.Errorf("handshake: the application reported a negative last block height %d", appHeight)
	}
	st := h.initial
	if st.LastBlockHeight == 0 {
		st.Version.Consensus.App = info.AppVersion
	}
	h.logger.Info("ABCI handshake", "app_height", appHeight, "app_hash", fmt.Sprintf("%X", info.LastBlockAppHash),
		"app_version", info.AppVersion, "software_version", info.Version)

	st, err = h.replayBlocks(ctx, st, info.LastBlockAppHash, appHeight, conns.Consensus())
	if err != nil {
		return State{}, fmt.Errorf("handshake: %w", err)
	}
	h.logger.Info("ABCI handshake done: node and application are synced",
		"height", st.LastBlockHeight, "app_hash", fmt.Sprintf("%X", []byte(st.AppHash)), "replayed", h.replayed)
	return st, nil
}

// replayBlocks is the table of consensus.md §12. Heights are compared as "the last block
// executed": a state or application with nothing executed counts as InitialHeight-1, which is
// 0 on chains starting at 1 and makes the table work for chains starting higher too.
func (h *Handshaker) replayBlocks(ctx context.Context, st State, appHash []byte, appHeight int64, app appconn.Consensus) (State, error) {
	if appHeight == 0 {
		var err error
		if st, appHash, err = h.initChain(ctx, st, app); err != nil {
			return State{}, err
		}
	}
	storeBase, storeHeight := h.blockStore.Base(), h.blockStore.Height()
	stateHeight, appLast := st.LastBlockHeight, appHeight
	if stateHeight == 0 {
		stateHeight = st.InitialHeight - 1
	}
	if appLast == 0 {
		appLast = st.InitialHeight - 1
	}

	switch {
	case storeHeight == 0:
		return st, checkAppHash(st.LastBlockHeight, st.AppHash, appHash)
	case appHeight == 0 && st.InitialHeight < storeBase:
		return State{}, fmt.Errorf("%w: the application has no state, but the block store starts at height %d, above the initial height %d",
			ErrAppBlockHeightTooLow, storeBase, st.InitialHeight)
	case appLast < storeBase-1:
		return State{}, fmt.Errorf("%w: the application is at height %d, but the block store starts at height %d",
			ErrAppBlockHeightTooLow, appHeight, storeBase)
	case storeHeight < appLast:
		return State{}, fmt.Errorf("%w: the application is at height %d, the block store at height %d",
			ErrAppBlockHeightTooHigh, appHeight, storeHeight)
	case storeHeight < stateHeight:
		return State{}, fmt.Errorf("%w: the state is at height %d, above the block store's height %d",
			ErrStoresInconsistent, st.LastBlockHeight, storeHeight)
	case storeHeight > stateHeight+1:
		return State{}, fmt.Errorf("%w: the block store is at height %d, more than one block above the state's height %d",
			ErrStoresInconsistent, storeHeight, st.LastBlockHeight)
	}

	if storeHeight == stateHeight {
		// The node saved the state of its last block: the application is behind or synced.
		if appLast < storeHeight {
			replayedHash, err := h.replayToApp(ctx, st, app, appLast, storeHeight)
			if err != nil {
				return State{}, err
			}
			return st, checkAppHash(stateHeight, st.AppHash, replayedHash)
		}
		return st, checkAppHash(stateHeight, st.AppHash, appHash)
	}

	// storeHeight == stateHeight+1: the last block was saved but its state was not.
	switch {
	case appLast < stateHeight:
		replayedHash, err := h.replayToApp(ctx, st, app, appLast, stateHeight)
		if err != nil {
			return State{}, err
		}
		if err := checkAppHash(stateHeight, st.AppHash, replayedHash); err != nil {
			return State{}, err
		}
		return h.applyStoredBlock(ctx, st, storeHeight, app)
	case appLast == stateHeight:
		if appHeight > 0 {
			if err := checkAppHash(stateHeight, st.AppHash, appHash); err != nil {
				return State{}, err
			}
		}
		h.logger.Info("replaying the last block with the application", "height", storeHeight)
		return h.applyStoredBlock(ctx, st, storeHeight, app)
	default: // appLast == storeHeight
		// The application committed the block, the node did not save the state: rebuild it from
		// the saved FinalizeBlock response without calling the application.
		resp, err := h.stateStore.LoadLastFinalizeBlockResponse(storeHeight)
		if err != nil {
			return State{}, fmt.Errorf("the application committed block %d but the state was not saved: %w", storeHeight, err)
		}
		if len(resp.AppHash) == 0 {
			resp.AppHash = appHash // a response saved by CometBFT before v0.38 lacks it
		}
		if !bytes.Equal(resp.AppHash, appHash) {
			return State{}, fmt.Errorf("%w at height %d: the saved FinalizeBlock response has %X, app returned %X",
				ErrAppHashMismatch, storeHeight, resp.AppHash, appHash)
		}
		h.logger.Info("rebuilding the state of the last block from its saved FinalizeBlock response", "height", storeHeight)
		return h.applyStoredBlock(ctx, st, storeHeight, savedResponseApp{resp: resp})
	}
}

// initChain sends InitChain with the genesis contents and, while the node has no block
// executed, adopts the response into the state and saves it. It returns the (possibly updated)
// state and the app hash InitChain returned.
func (h *Handshaker) initChain(ctx context.Context, st State, app appconn.Consensus) (State, []byte, error) {
	genVals, err := h.genDoc.ValidatorSet()
	if err != nil {
		return State{}, nil, fmt.Errorf("InitChain: %w", err)
	}
	updates, err := validatorUpdatesOf(genVals)
	if err != nil {
		return State{}, nil, fmt.Errorf("InitChain: genesis validators: %w", err)
	}
	params := types.DefaultConsensusParams()
	if h.genDoc.ConsensusParams != nil {
		params = h.genDoc.ConsensusParams
	}
	pbParams := params.ToProto()
	initialHeight := h.genDoc.InitialHeight
	if initialHeight == 0 {
		initialHeight = 1
	}
	req := &abci.RequestInitChain{
		Time:            h.genDoc.GenesisTime,
		ChainId:         h.genDoc.ChainID,
		InitialHeight:   initialHeight,
		ConsensusParams: &pbParams,
		Validators:      updates,
	}
	if h.genDoc.AppState != nil {
		req.AppStateBytes = h.genDoc.AppState
	}
	res, err := app.InitChain(ctx, req)
	if err != nil {
		return State{}, nil, fmt.Errorf("InitChain: %w", err)
	}
	if st.LastBlockHeight != 0 {
		// The application lost its state; the node's state stays, the blocks are replayed.
		return st, res.AppHash, nil
	}

	if len(res.AppHash) > 0 {
		st.AppHash = cloneBytes(res.AppHash)
	}
	switch {
	case len(res.Validators) > 0:
		vals, err := validatorsFromUpdates(res.Validators)
		if err != nil {
			return State{}, nil, fmt.Errorf("InitChain returned validators: %w", err)
		}
		set, err := types.NewValidatorSet(vals)
		if err != nil {
			return State{}, nil, fmt.Errorf("InitChain returned validators: %w", err)
		}
		st.Validators = set
		st.NextValidators = set.Copy()
		st.NextValidators.IncrementProposerPriority(1)
	case len(h.genDoc.Validators) == 0:
		return State{}, nil, errors.New("InitChain: the genesis has no validators and the application returned none")
	}
	if res.ConsensusParams != nil {
		st.ConsensusParams = st.ConsensusParams.Update(res.ConsensusParams)
		if err := st.ConsensusParams.ValidateBasic(); err != nil {
			return State{}, nil, fmt.Errorf("InitChain returned consensus params: %w", err)
		}
		st.Version.Consensus.App = st.ConsensusParams.Version.App
	}
	st.LastResultsHash = merkle.HashFromByteSlices(nil)
	if err := h.stateStore.Save(st); err != nil {
		return State{}, nil, fmt.Errorf("saving the state after InitChain: %w", err)
	}
	return st, res.AppHash, nil
}

// replayToApp executes the stored blocks appLast+1 … last on the application only (no state
// change) and returns the app hash after the last one. Each block must carry the app hash the
// application returned for the block before it.
func (h *Handshaker) replayToApp(ctx context.Context, st State, app appconn.Consensus, appLast, last int64) ([]byte, error) {
	first := appLast + 1
	h.logger.Info("replaying blocks to the application", "from", first, "to", last)
	var appHash []byte
	for height := first; height <= last; height++ {
		block, err := h.blockStore.LoadBlock(height)
		if err != nil {
			return nil, fmt.Errorf("replaying block %d: %w", height, err)
		}
		if height > first && !bytes.Equal(block.AppHash, appHash) {
			return nil, fmt.Errorf("%w at height %d: block %d carries %X, app returned %X",
				ErrAppHashMismatch, height-1, height, []byte(block.AppHash), appHash)
		}
		if appHash, err = ExecCommitBlock(ctx, app, block, st, h.stateStore); err != nil {
			return nil, err
		}
		h.replayed++
	}
	return appHash, nil
}

// applyStoredBlock applies the stored block at height to st with app (the real application or
// the saved-response stand-in), saving the new state and publishing the block's events.
func (h *Handshaker) applyStoredBlock(ctx context.Context, st State, height int64, app appconn.Consensus) (State, error) {
	block, err := h.blockStore.LoadBlock(height)
	if err != nil {
		return State{}, fmt.Errorf("applying block %d: %w", height, err)
	}
	meta, err := h.blockStore.LoadBlockMeta(height)
	if err != nil {
		return State{}, fmt.Errorf("applying block %d: %w", height, err)
	}
	exec := NewBlockExecutor(h.stateStore, h.logger, app, nil, nil, h.blockStore, WithEventPublisher(h.events))
	next, err := exec.ApplyBlock(ctx, st, meta.BlockID, block)
	if err != nil {
		return State{}, err
	}
	h.replayed++
	return next, nil
}

// checkAppHash compares the app hash the node recorded after height with the application's.
func checkAppHash(height int64, stateHash, appHash []byte) error {
	if bytes.Equal(stateHash, appHash) {
		return nil
	}
	return fmt.Errorf("%w at height %d: state has %X, app returned %X", ErrAppHashMismatch, height, stateHash, appHash)
}

// validatorUpdatesOf returns vals as ABCI validator updates, in set order.
func validatorUpdatesOf(vals *types.ValidatorSet) ([]abci.ValidatorUpdate, error) {
	out := make([]abci.ValidatorUpdate, vals.Size())
	for i, v := range vals.Validators {
		pk, err := encoding.PubKeyToProto(v.PubKey)
		if err != nil {
			return nil, fmt.Errorf("validator %X: %w", []byte(v.Address), err)
		}
		out[i] = abci.ValidatorUpdate{PubKey: pk, Power: v.VotingPower}
	}
	return out, nil
}

// validatorsFromUpdates converts InitChain's validators.
func validatorsFromUpdates(updates []abci.ValidatorUpdate) ([]*types.Validator, error) {
	out := make([]*types.Validator, len(updates))
	for i, u := range updates {
		pk, err := encoding.PubKeyFromProto(u.PubKey)
		if err != nil {
			return nil, fmt.Errorf("validators[%d]: %w", i, err)
		}
		out[i] = types.NewValidator(pk, u.Power)
	}
	return out, nil
}

// savedResponseApp stands in for an application that already committed a block: FinalizeBlock
// returns the response the node saved before the crash, Commit does nothing. Other calls fail.
type savedResponseApp struct {
	resp *abci.ResponseFinalizeBlock
}

var _ appconn.Consensus = savedResponseApp{}

var errReplayOnly = errors.New("not available while rebuilding the state from a saved FinalizeBlock response")

func (savedResponseApp) Error() error                { return nil }
func (savedResponseApp) Flush(context.Context) error { return nil }
func (savedResponseApp) InitChain(context.Context, *abci.RequestInitChain) (*abci.ResponseInitChain, error) {
	return nil, errReplayOnly
}
func (savedResponseApp) PrepareProposal(context.Context, *abci.RequestPrepareProposal) (*abci.ResponsePrepareProposal, error) {
	return nil, errReplayOnly
}
func (savedResponseApp) ProcessProposal(context.Context, *abci.RequestProcessProposal) (*abci.ResponseProcessProposal, error) {
	return nil, errReplayOnly
}
func (savedResponseApp) ExtendVote(context.Context, *abci.RequestExtendVote) (*abci.ResponseExtendVote, error) {
	return nil, errReplayOnly
}
func (savedResponseApp) VerifyVoteExtension(context.Context, *abci.RequestVerifyVoteExtension) (*abci.ResponseVerifyVoteExtension, error) {
	return nil, errReplayOnly
}
func (a savedResponseApp) FinalizeBlock(context.Context, *abci.RequestFinalizeBlock) (*abci.ResponseFinalizeBlock, error) {
	return a.resp, nil
}
func (savedResponseApp) Commit(context.Context, *abci.RequestCommit) (*abci.ResponseCommit, error) {
	return &abci.ResponseCommit{}, nil
}
