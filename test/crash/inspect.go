package crash

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	dbm "github.com/cometbft/cometbft-db"
	"github.com/syndtr/goleveldb/leveldb/opt"

	"github.com/ballot-bft/ballot/abci/example/kvstore"
	"github.com/ballot-bft/ballot/blockstore"
	"github.com/ballot-bft/ballot/consensus/wal"
	"github.com/ballot-bft/ballot/privval"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	consensuspb "github.com/ballot-bft/ballot/proto/tendermint/consensus"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
	"github.com/ballot-bft/ballot/state"
)

// BlockInfo is what the block store holds about one height.
type BlockInfo struct {
	Hash          string // the block's hash (upper-case hex, as the node logs it)
	LastBlockHash string // header.last_block_id.hash
	AppHash       string // header.app_hash: the app hash after the previous block
	SeenCommit    string // the block hash the stored seen commit is for
}

// HRS is a height, round and privval step (0 none, 1 propose, 2 prevote, 3 precommit).
type HRS struct {
	Height int64
	Round  int32
	Step   int8
}

// Less orders positions as the signer does.
func (a HRS) Less(b HRS) bool {
	if a.Height != b.Height {
		return a.Height < b.Height
	}
	if a.Round != b.Round {
		return a.Round < b.Round
	}
	return a.Step < b.Step
}

func (a HRS) String() string { return fmt.Sprintf("%d/%d/%d", a.Height, a.Round, a.Step) }

// Signed is a proposal or vote this node signed, as its WAL recorded it.
type Signed struct {
	HRS
	BlockHash string // "" for a nil vote
	POLRound  int32  // proposals only
}

// Snapshot is the durable state of a stopped (or crashed) node, read from its home: block
// store, state store, application database, priv validator state and WAL.
type Snapshot struct {
	Base, Height int64               // block store bounds (0, 0 when empty)
	Blocks       map[int64]BlockInfo // Base..Height

	StateHeight  int64            // state.LastBlockHeight
	StateAppHash string           // state.AppHash
	Results      map[int64]string // height → app hash of the saved FinalizeBlock response

	AppHeight int64             // the application's last committed height (ABCI Info)
	AppHash   string            // and its app hash
	Txs       map[string]int64  // every transaction in the block store → its height
	Values    map[string]string // the application's value of each key Inspect was asked for ("" if none)

	PrivVal HRS    // priv_validator_state.json
	Address string // the validator's address (upper-case hex)

	Signed     []Signed // own proposals and votes in the WAL, in WAL order
	EndHeights []int64  // EndHeight markers in the WAL
	WALDamage  string   // the first damaged record of the WAL, "" if it is intact
}

// hexOf formats bytes as the node's log does.
func hexOf(b []byte) string { return fmt.Sprintf("%X", b) }

// Inspect reads the snapshot of h, with the application's values of keys (read through the
// kvstore's Query, as abci_query would). The node must not be running.
func Inspect(ctx context.Context, h *Home, keys []string) (*Snapshot, error) {
	s := &Snapshot{Blocks: map[int64]BlockInfo{}, Results: map[int64]string{}, Txs: map[string]int64{}, Values: map[string]string{}}
	dataDir := filepath.Join(h.Dir, "data")
	if err := s.readBlocks(dataDir); err != nil {
		return nil, err
	}
	if err := s.readState(dataDir); err != nil {
		return nil, err
	}
	if err := s.readApp(ctx, dataDir, keys); err != nil {
		return nil, err
	}
	pv, err := privval.LoadFilePV(filepath.Join(h.Dir, "config", "priv_validator_key.json"), filepath.Join(dataDir, "priv_validator_state.json"))
	if err != nil {
		return nil, err
	}
	lss := pv.LastSignState()
	s.PrivVal = HRS{Height: lss.Height, Round: lss.Round, Step: int8(lss.Step)}
	s.Address = hexOf(pv.Address())
	if err := s.readWAL(filepath.Join(dataDir, "cs.wal", "wal"), hexOf(pv.Address())); err != nil {
		return nil, err
	}
	return s, nil
}

// openReadOnly opens the goleveldb database name in dir without writing to it.
func openReadOnly(name, dir string) (dbm.DB, error) {
	db, err := dbm.NewGoLevelDBWithOpts(name, dir, &opt.Options{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("opening %s in %s read-only: %w", name, dir, err)
	}
	return db, nil
}

func (s *Snapshot) readBlocks(dataDir string) error {
	db, err := openReadOnly("blockstore", dataDir)
	if err != nil {
		return err
	}
	bs, err := blockstore.New(db)
	if err != nil {
		db.Close()
		return err
	}
	defer bs.Close()
	s.Base, s.Height = bs.Base(), bs.Height()
	for height := s.Base; height > 0 && height <= s.Height; height++ {
		meta, err := bs.LoadBlockMeta(height)
		if err != nil {
			return fmt.Errorf("block store: %w", err)
		}
		seen, err := bs.LoadSeenCommit(height)
		if err != nil {
			return fmt.Errorf("block store: %w", err)
		}
		s.Blocks[height] = BlockInfo{
			Hash:          hexOf(meta.BlockID.Hash),
			LastBlockHash: hexOf(meta.Header.LastBlockID.Hash),
			AppHash:       hexOf(meta.Header.AppHash),
			SeenCommit:    hexOf(seen.BlockID.Hash),
		}
		if meta.NumTxs == 0 {
			continue
		}
		block, err := bs.LoadBlock(height)
		if err != nil {
			return fmt.Errorf("block store: %w", err)
		}
		for _, tx := range block.Txs {
			s.Txs[string(tx)] = height
		}
	}
	return nil
}

func (s *Snapshot) readState(dataDir string) error {
	db, err := openReadOnly("state", dataDir)
	if err != nil {
		return err
	}
	store := state.NewStore(db, state.StoreOptions{})
	defer store.Close()
	st, err := store.Load()
	if err != nil {
		return err
	}
	s.StateHeight, s.StateAppHash = st.LastBlockHeight, hexOf(st.AppHash)
	// Responses are saved before the state, so one may exist above the state's height.
	for height := max(s.Base, 1); height <= max(s.Height, s.StateHeight+1); height++ {
		resp, err := store.LoadFinalizeBlockResponse(height)
		if errors.Is(err, state.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		s.Results[height] = hexOf(resp.AppHash)
	}
	return nil
}

func (s *Snapshot) readApp(ctx context.Context, dataDir string, keys []string) error {
	db, err := openReadOnly("kvstore", filepath.Join(dataDir, "kvstore.db"))
	if err != nil {
		return err
	}
	app, err := kvstore.NewApplication(db, kvstore.Options{})
	if err != nil {
		db.Close()
		return err
	}
	defer app.Close()
	info, err := app.Info(ctx, &abci.RequestInfo{})
	if err != nil {
		return err
	}
	s.AppHeight, s.AppHash = info.LastBlockHeight, hexOf(info.LastBlockAppHash)
	for _, key := range keys {
		resp, err := app.Query(ctx, &abci.RequestQuery{Path: kvstore.QueryPathKey, Data: []byte(key)})
		if err != nil {
			return fmt.Errorf("querying the application for %q: %w", key, err)
		}
		s.Values[key] = string(resp.Value)
	}
	return nil
}

// readWAL collects the EndHeight markers and this validator's signed messages from every WAL
// file, oldest first. Reading stops at the first damaged record, which is noted.
func (s *Snapshot) readWAL(head, address string) error {
	files, err := wal.Files(head)
	if err != nil {
		return err
	}
	for _, path := range files {
		damage, err := s.readWALFile(path, address)
		if err != nil {
			return err
		}
		if damage != nil {
			s.WALDamage = damage.Error()
			return nil
		}
	}
	return nil
}

func (s *Snapshot) readWALFile(path, address string) (*wal.CorruptionError, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	dec := wal.NewDecoder(bufio.NewReader(f))
	for {
		rec, err := dec.Decode()
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		var damage *wal.CorruptionError
		if errors.As(err, &damage) {
			return damage, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", path, err)
		}
		s.addRecord(rec.Msg, address)
	}
}

func (s *Snapshot) addRecord(m *consensuspb.WALMessage, address string) {
	if end, ok := m.Sum.(*consensuspb.WALMessage_EndHeight); ok {
		s.EndHeights = append(s.EndHeights, end.EndHeight.Height)
	}
	if signed, ok := signedBy(m, address); ok {
		s.Signed = append(s.Signed, signed)
	}
}

// signedBy returns the proposal or vote m records if the validator with address signed it
// (a record of the node's own message: no peer id).
func signedBy(m *consensuspb.WALMessage, address string) (Signed, bool) {
	info, ok := m.Sum.(*consensuspb.WALMessage_MsgInfo)
	if !ok || info.MsgInfo == nil || info.MsgInfo.PeerID != "" {
		return Signed{}, false
	}
	switch msg := info.MsgInfo.Msg.Sum.(type) {
	case *consensuspb.Message_Proposal:
		p := msg.Proposal.Proposal
		return Signed{HRS: HRS{p.Height, p.Round, int8(privval.StepPropose)}, BlockHash: hexOf(p.BlockID.Hash), POLRound: p.PolRound}, true
	case *consensuspb.Message_Vote:
		v := msg.Vote.Vote
		if v == nil || hexOf(v.ValidatorAddress) != address {
			return Signed{}, false
		}
		step := privval.StepPrevote
		if v.Type == tmproto.PrecommitType {
			step = privval.StepPrecommit
		}
		return Signed{HRS: HRS{v.Height, v.Round, int8(step)}, BlockHash: hexOf(v.BlockID.Hash)}, true
	}
	return Signed{}, false
}
