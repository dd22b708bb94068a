package indexer

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/ballot-bft/ballot/libs/log"
	"github.com/ballot-bft/ballot/libs/pubsub"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	"github.com/ballot-bft/ballot/state/indexer/eventquery"
	"github.com/ballot-bft/ballot/state/txindex"
	"github.com/ballot-bft/ballot/types"
)

// Subscriber is the client ID under which the service subscribes to the event bus.
const Subscriber = "IndexerService"

// ServiceConfig is what a Service works with.
type ServiceConfig struct {
	TxIndexer    txindex.TxIndexer // required
	BlockIndexer BlockIndexer      // required
	EventBus     EventBus          // required
	// Blocks and Results are read to catch up on start, and to index a block whose Tx events
	// did not all arrive. Without either, the service only indexes what it receives.
	Blocks  BlockStore
	Results ResultStore
	Logger  log.Logger // nil: no logging
}

// Service keeps the indexers up to date with committed blocks; see the package documentation.
// Run it once. Its other methods are safe for concurrent use.
type Service struct {
	cfg    ServiceConfig
	logger log.Logger
	ready  chan struct{} // closed when Run has subscribed and caught up

	mu       sync.Mutex
	height   int64         // highest height processed
	advanced chan struct{} // closed and replaced whenever height grows
}

// NewService returns a service; Run starts it.
func NewService(cfg ServiceConfig) *Service {
	logger := cfg.Logger
	if logger == nil {
		logger = log.NewNop()
	}
	return &Service{
		cfg:      cfg,
		logger:   logger.With("module", "txindex"),
		ready:    make(chan struct{}),
		advanced: make(chan struct{}),
	}
}

// Ready returns a channel closed once Run has subscribed to the event bus and caught up with
// the block store: from then on every committed block is indexed. It stays open if Run returns
// before that.
func (s *Service) Ready() <-chan struct{} { return s.ready }

// Height returns the highest height the service has indexed (or skipped, for a block that
// failed with a reserved key): 0 before any.
func (s *Service) Height() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.height
}

// WaitFor returns when the service has reached height (see Height), or ctx's error.
func (s *Service) WaitFor(ctx context.Context, height int64) error {
	for {
		s.mu.Lock()
		reached, advanced := s.height >= height, s.advanced
		s.mu.Unlock()
		if reached {
			return nil
		}
		select {
		case <-advanced:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// advance records that height has been processed.
func (s *Service) advance(height int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if height > s.height {
		s.height = height
		close(s.advanced)
		s.advanced = make(chan struct{})
	}
}

// Run subscribes, catches up, then indexes every committed block until ctx ends (nil) or the
// event bus stops (nil). It returns an error if it cannot subscribe, if the subscription is
// canceled for another reason, or if an indexer fails to write (a storage failure: the heights
// from there on are indexed again by the catch-up of the next Run).
func (s *Service) Run(ctx context.Context) error {
	sub, err := s.cfg.EventBus.SubscribeUnbuffered(ctx, Subscriber, blockAndTxEvents{})
	if err != nil {
		return fmt.Errorf("indexer: subscribing to events: %w", err)
	}
	defer func() { _ = s.cfg.EventBus.UnsubscribeAll(context.Background(), Subscriber) }()

	floor, err := s.catchUp(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	close(s.ready)

	live := liveState{floor: floor}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-sub.Canceled():
			if ctx.Err() != nil || errors.Is(sub.Err(), pubsub.ErrServerStopped) {
				return nil
			}
			return fmt.Errorf("indexer: event subscription ended: %w", sub.Err())
		case msg := <-sub.Out():
			if err := s.receive(&live, msg.Data()); err != nil {
				return err
			}
		}
	}
}

// liveState is the block being assembled from the event stream.
type liveState struct {
	floor   int64 // heights up to floor were indexed by the catch-up
	pending *pendingBlock
}

// pendingBlock is a block whose NewBlockEvents arrived and whose Tx events are arriving.
type pendingBlock struct {
	events types.EventDataNewBlockEvents
	txs    []*abci.TxResult
	broken bool // a Tx event arrived out of order
}

// receive handles one event from the subscription.
func (s *Service) receive(live *liveState, data any) error {
	switch ev := data.(type) {
	case types.EventDataNewBlockEvents:
		if p := live.pending; p != nil {
			s.logger.Error("tx events of a block missing; indexing it from the stores",
				"height", p.events.Height, "got", len(p.txs), "want", p.events.NumTxs)
			live.pending = nil
			if p.events.Height > live.floor {
				if err := s.indexFromStores(p.events.Height); err != nil {
					return err
				}
			}
		}
		live.pending = &pendingBlock{events: ev}
	case types.EventDataTx:
		p := live.pending
		if p == nil || ev.TxResult.Height != p.events.Height {
			s.logger.Error("tx event outside its block; dropped", "height", ev.TxResult.Height, "index", ev.TxResult.Index)
			return nil
		}
		if int(ev.TxResult.Index) != len(p.txs) {
			p.broken = true
		}
		result := ev.TxResult
		p.txs = append(p.txs, &result)
	default:
		return nil
	}
	p := live.pending
	if int64(len(p.txs)) < p.events.NumTxs {
		return nil
	}
	live.pending = nil
	switch {
	case p.events.Height <= live.floor:
		return nil // indexed by the catch-up
	case p.broken:
		s.logger.Error("tx events of a block out of order; indexing it from the stores", "height", p.events.Height)
		return s.indexFromStores(p.events.Height)
	}
	return s.index(p.events, p.txs)
}

// indexFromStores indexes height from the stores; without them, or if they do not have it, the
// height is left unindexed and an error is logged.
func (s *Service) indexFromStores(height int64) error {
	if s.cfg.Blocks == nil || s.cfg.Results == nil {
		s.logger.Error("cannot index block: no stores to read it from; run reindex-event", "height", height)
		return nil
	}
	events, txs, err := loadHeight(height, s.cfg.Blocks, s.cfg.Results)
	if err != nil {
		s.logger.Error("cannot index block; run reindex-event", "height", height, "err", err)
		return nil
	}
	return s.index(events, txs)
}

// index writes a block's transactions, then the block (whose marker says the height is done).
// A reserved-key failure is logged and the rest goes on, as in CometBFT; any other failure is
// returned.
func (s *Service) index(events types.EventDataNewBlockEvents, txs []*abci.TxResult) error {
	height := events.Height
	var reserved *eventquery.ReservedKeyError
	if len(txs) > 0 {
		err := s.cfg.TxIndexer.AddBatch(&txindex.Batch{Ops: txs})
		switch {
		case errors.As(err, &reserved):
			s.logger.Error("failed to index block txs", "height", height, "err", err)
		case err != nil:
			return fmt.Errorf("indexer: indexing txs of height %d: %w", height, err)
		}
	}
	err := s.cfg.BlockIndexer.Index(events)
	switch {
	case errors.As(err, &reserved):
		s.logger.Error("failed to index block", "height", height, "err", err)
	case err != nil:
		return fmt.Errorf("indexer: indexing block %d: %w", height, err)
	default:
		s.logger.Debug("indexed block", "height", height, "num_txs", len(txs))
	}
	s.advance(height)
	return nil
}

// catchUp indexes the stored heights above the highest indexed one and returns the height up
// to which the stores were indexed.
func (s *Service) catchUp(ctx context.Context) (int64, error) {
	if s.cfg.Blocks == nil || s.cfg.Results == nil {
		return 0, nil
	}
	base, top := s.cfg.Blocks.Base(), s.cfg.Blocks.Height()
	if top <= 0 {
		return 0, nil
	}
	if base < 1 {
		base = 1
	}
	last := top
	for ; last >= base; last-- {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		indexed, err := s.cfg.BlockIndexer.Has(last)
		if errors.Is(err, ErrDisabled) {
			return 0, nil // nothing to catch up with
		}
		if err != nil {
			return 0, fmt.Errorf("indexer: finding the last indexed height: %w", err)
		}
		if indexed {
			break
		}
	}
	s.advance(last)
	if last < top {
		s.logger.Info("catching up with the block store", "from", last+1, "to", top)
	}
	for h := last + 1; h <= top; h++ {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		events, txs, err := loadHeight(h, s.cfg.Blocks, s.cfg.Results)
		if err != nil {
			s.logger.Error("index catch-up stopped; run reindex-event for the rest", "height", h, "store_height", top, "err", err)
			return h - 1, nil
		}
		if err := s.index(events, txs); err != nil {
			return 0, err
		}
	}
	return top, nil
}
