package blocksync

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	bcproto "github.com/ballot-bft/ballot/proto/tendermint/blocksync"
	"github.com/ballot-bft/ballot/state"
	"github.com/ballot-bft/ballot/types"
)

// waitDone waits for the sync to end and returns its result.
func (e *syncEnv) waitDone() Result {
	e.t.Helper()
	select {
	case <-e.r.Done():
	case err := <-e.runErr:
		e.t.Fatalf("Run returned %v before the sync ended", err)
	}
	res, ok := e.r.Result()
	if !ok {
		e.t.Fatal("Done closed without a result")
	}
	return res
}

func (e *syncEnv) mustStop() {
	e.t.Helper()
	if err := e.stop(); err != nil {
		e.t.Fatalf("Run: %v", err)
	}
}

// sourceStatus is what the source announces on connect.
func sourceStatus(source *chainNode) *bcproto.Message {
	return status(source.blocks.Base(), source.blocks.Height())
}

func TestSyncCatchesUp(t *testing.T) {
	for _, tc := range []struct {
		name      string
		blocks    int
		extHeight int64
		peers     int
	}{
		{"one peer", 30, 0, 1},
		{"three peers", 30, 0, 3},
		{"vote extensions from 5", 12, 5, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			source := sourceChain(t, 4, tc.blocks, tc.extHeight)
			synctest.Test(t, func(t *testing.T) {
				e := newSyncEnv(t, source, DefaultConfig())
				for i := range tc.peers {
					e.addRemote(string(rune('a'+i)), sourceStatus(source), honest(t, source))
				}
				res := e.waitDone()
				e.mustStop()
				// The last block cannot be verified without its successor: the sync ends one or
				// two blocks short of the peers (CometBFT's rule), and consensus takes over.
				if h := res.State.LastBlockHeight; h < int64(tc.blocks)-2 || h > int64(tc.blocks)-1 {
					t.Fatalf("synced to %d, want %d or %d", h, tc.blocks-2, tc.blocks-1)
				}
				if res.BlocksSynced != res.State.LastBlockHeight {
					t.Fatalf("%d blocks synced, state at %d", res.BlocksSynced, res.State.LastBlockHeight)
				}
				checkSynced(t, source, e.sink, res.State)
				if tc.extHeight > 0 {
					if _, err := e.sink.blocks.LoadBlockExtendedCommit(res.State.LastBlockHeight); err != nil {
						t.Fatalf("no extended commit saved for the last block: %v", err)
					}
				}
				for _, p := range e.sw.peers {
					if err := e.sw.stopErr(p.id); err != nil {
						t.Fatalf("honest peer %s stopped: %v", p.id, err)
					}
				}
			})
		})
	}
}

func TestSilentPeerTimesOut(t *testing.T) {
	source := sourceChain(t, 4, 10, 0)
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		e := newSyncEnv(t, source, DefaultConfig())
		silent := e.addRemote("s", sourceStatus(source), func(*bcproto.Message) []*bcproto.Message { return nil })
		<-silent.done
		if err := e.sw.stopErr(silent.id); !errors.Is(err, ErrPeerTimeout) {
			t.Fatalf("silent peer stopped for %v", err)
		}
		if took := time.Since(start); took != DefaultConfig().PeerTimeout {
			t.Fatalf("silent peer dropped after %v, want %v", took, DefaultConfig().PeerTimeout)
		}
		e.addRemote("h", sourceStatus(source), honest(t, source)) // the blocks are asked again
		res := e.waitDone()
		e.mustStop()
		checkSynced(t, source, e.sink, res.State)
	})
}

func TestNoBlockAnswersGoElsewhere(t *testing.T) {
	source := sourceChain(t, 4, 10, 0)
	synctest.Test(t, func(t *testing.T) {
		e := newSyncEnv(t, source, DefaultConfig())
		noBlocks := func(req *bcproto.Message) []*bcproto.Message {
			if r := req.GetBlockRequest(); r != nil {
				return []*bcproto.Message{noBlockResponse(r.Height).Message.(*bcproto.Message)}
			}
			return nil
		}
		liar := e.addRemote("l", sourceStatus(source), noBlocks)
		synctest.Wait()
		e.addRemote("h", sourceStatus(source), honest(t, source))
		res := e.waitDone()
		e.mustStop()
		checkSynced(t, source, e.sink, res.State)
		if err := e.sw.stopErr(liar.id); err != nil {
			t.Fatalf("a peer that lacks blocks was stopped: %v", err)
		}
	})
}

// tampered serves source honestly except that edit changes every BlockResponse for height.
func tampered(t *testing.T, source *chainNode, height int64, edit func(*bcproto.BlockResponse)) func(*bcproto.Message) []*bcproto.Message {
	serve := honest(t, source)
	return func(req *bcproto.Message) []*bcproto.Message {
		out := serve(req)
		if r := req.GetBlockRequest(); r != nil && r.Height == height {
			for _, m := range out {
				if res := m.GetBlockResponse(); res != nil {
					edit(res)
				}
			}
		}
		return out
	}
}

func TestBadBlockStopsPeer(t *testing.T) {
	for _, tc := range []struct {
		name      string
		extHeight int64
		height    int64
		edit      func(*chainNode, *bcproto.BlockResponse)
		want      error
	}{
		{"header changed", 0, 3, func(_ *chainNode, res *bcproto.BlockResponse) { res.Block.Header.AppHash[0] ^= 1 }, ErrBadBlock},
		{"commit signature wrong", 0, 4, func(_ *chainNode, res *bcproto.BlockResponse) {
			res.Block.LastCommit.Signatures[1].Signature[0] ^= 1
			c, err := types.CommitFromProto(res.Block.LastCommit)
			if err != nil {
				panic(err)
			}
			res.Block.Header.LastCommitHash = c.Hash() // still well-formed
		}, ErrBadBlock},
		{"extended commit missing", 2, 3, func(_ *chainNode, res *bcproto.BlockResponse) { res.ExtCommit = nil }, ErrBadBlock},
		{"extension signature wrong", 2, 3, func(_ *chainNode, res *bcproto.BlockResponse) {
			res.ExtCommit.ExtendedSignatures[0].ExtensionSignature[0] ^= 1
		}, ErrBadBlock},
		{"extended commit unexpected", 5, 3, func(source *chainNode, res *bcproto.BlockResponse) {
			c, err := source.blocks.LoadBlockCommit(3)
			if err != nil {
				panic(err)
			}
			res.ExtCommit = c.WrappedExtendedCommit().ToProto()
		}, ErrBadBlock},
		{"undecodable block", 0, 3, func(_ *chainNode, res *bcproto.BlockResponse) { res.Block.Data.Txs = nil }, ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			source := sourceChain(t, 4, 10, tc.extHeight)
			synctest.Test(t, func(t *testing.T) {
				e := newSyncEnv(t, source, DefaultConfig())
				edit := func(res *bcproto.BlockResponse) { tc.edit(source, res) }
				bad := e.addRemote("b", sourceStatus(source), tampered(t, source, tc.height, edit))
				<-bad.done
				if err := e.sw.stopErr(bad.id); !errors.Is(err, tc.want) {
					t.Fatalf("stopped for %v, want %v", err, tc.want)
				}
				if h := e.sink.blocks.Height(); h >= 3 {
					t.Fatalf("sink saved up to %d past the bad block", h)
				}
				e.addRemote("h", sourceStatus(source), honest(t, source))
				res := e.waitDone()
				e.mustStop()
				checkSynced(t, source, e.sink, res.State)
			})
		})
	}
}

func TestPeersStoppedForProtocolFaults(t *testing.T) {
	source := sourceChain(t, 4, 10, 0)
	synctest.Test(t, func(t *testing.T) {
		e := newSyncEnv(t, source, DefaultConfig())
		defer e.mustStop()
		serve := honest(t, source)

		// A block nobody asked for: the peer has no range, so nothing was requested of it.
		pushy := e.addRemote("p", nil, func(*bcproto.Message) []*bcproto.Message { return nil })
		(&remote{peer: pushy, r: e.r}).deliver(serve(blockRequest(2).Message.(*bcproto.Message))[0])
		synctest.Wait()
		if err := e.sw.stopErr(pushy.id); !errors.Is(err, ErrUnsolicited) {
			t.Fatalf("unsolicited block: stopped for %v", err)
		}

		// A peer whose height goes down.
		shrinking := e.addRemote("s", status(1, 3), func(*bcproto.Message) []*bcproto.Message { return nil })
		(&remote{peer: shrinking, r: e.r}).deliver(status(1, 2))
		synctest.Wait()
		if err := e.sw.stopErr(shrinking.id); !errors.Is(err, ErrHeightDecreased) {
			t.Fatalf("height decrease: stopped for %v", err)
		}
	})
}

func TestCaughtUpSignal(t *testing.T) {
	t.Run("peers at our height: at once", func(t *testing.T) {
		source := sourceChain(t, 4, 1, 0)
		synctest.Test(t, func(t *testing.T) {
			start := time.Now()
			sink := newChainNode(t, source.genDoc, 0)
			e := newSyncEnvOn(t, sink, DefaultConfig(), sink.exec)
			e.addRemote("a", status(0, 0), honest(t, source))
			res := e.waitDone()
			if took := time.Since(start); took != 0 {
				t.Fatalf("switched after %v, want at once: the only peer is at our height", took)
			}
			if res.BlocksSynced != 0 || res.State.LastBlockHeight != 0 {
				t.Fatalf("result %+v", res)
			}
			// Serving goes on after the sync; a late block answer is dropped, not punished.
			late := e.addRemote("b", nil, func(*bcproto.Message) []*bcproto.Message { return nil })
			(&remote{peer: late, r: e.r}).deliver(honest(t, source)(blockRequest(1).Message.(*bcproto.Message))[0])
			synctest.Wait()
			if err := e.sw.stopErr(late.id); err != nil {
				t.Fatalf("late block answer punished: %v", err)
			}
			e.mustStop()
		})
	})
	t.Run("no peers: never", func(t *testing.T) {
		source := sourceChain(t, 4, 1, 0)
		synctest.Test(t, func(t *testing.T) {
			e := newSyncEnv(t, source, DefaultConfig())
			select {
			case <-e.r.Done():
				t.Fatal("sync ended without peers")
			case <-time.After(time.Hour):
			}
			if _, ok := e.r.Result(); ok {
				t.Fatal("result without the sync ending")
			}
			e.mustStop()
		})
	})
	t.Run("validator with a third of the power: at once", func(t *testing.T) {
		source := sourceChain(t, 3, 1, 0) // three validators of power 10: each holds 1/3
		synctest.Test(t, func(t *testing.T) {
			start := time.Now()
			cfg := DefaultConfig()
			cfg.LocalAddress = valKey(1).PubKey().Address()
			e := newSyncEnv(t, source, cfg)
			e.waitDone()
			if took := time.Since(start); took != 0 {
				t.Fatalf("switched after %v", took)
			}
			e.mustStop()
		})
	})
	t.Run("validator with less: waits", func(t *testing.T) {
		source := sourceChain(t, 4, 1, 0)
		synctest.Test(t, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.LocalAddress = valKey(1).PubKey().Address()
			e := newSyncEnv(t, source, cfg)
			select {
			case <-e.r.Done():
				t.Fatal("a validator with 1/4 of the power switched without peers")
			case <-time.After(time.Minute):
			}
			e.mustStop()
		})
	})
}

func TestMissingExtensionHoldsTheSwitch(t *testing.T) {
	st := state.State{LastBlockHeight: 4, ConsensusParams: *types.DefaultConsensusParams()}
	st.ConsensusParams.ABCI.VoteExtensionsEnableHeight = 2
	s := &scheduler{st: st}
	if !s.missingExtension() {
		t.Fatal("extensions enabled at 4, none stored, none synced: missing")
	}
	s.initalExt = true
	if s.missingExtension() {
		t.Fatal("stored at the start: not missing")
	}
	s.initalExt, s.synced = false, 1
	if s.missingExtension() {
		t.Fatal("a synced block is saved with its extended commit: not missing")
	}
	s.synced = 0
	s.st.ConsensusParams.ABCI.VoteExtensionsEnableHeight = 5
	if s.missingExtension() {
		t.Fatal("extensions not enabled at 4: not missing")
	}
}

// failingExecutor executes blocks until height fail, where it fails.
type failingExecutor struct {
	Executor
	fail int64
}

func (f failingExecutor) ApplyVerifiedBlock(ctx context.Context, st state.State, id types.BlockID, block *types.Block) (state.State, error) {
	if block.Height == f.fail {
		return st, errors.New("application connection broken")
	}
	return f.Executor.ApplyVerifiedBlock(ctx, st, id, block)
}

func TestExecutionFailureEndsRun(t *testing.T) {
	source := sourceChain(t, 4, 10, 0)
	synctest.Test(t, func(t *testing.T) {
		sink := newChainNode(t, source.genDoc, 0)
		e := newSyncEnvOn(t, sink, DefaultConfig(), failingExecutor{Executor: sink.exec, fail: 4})
		e.addRemote("a", sourceStatus(source), honest(t, source))
		select {
		case <-e.r.Done():
			t.Fatal("sync reported done despite the failure")
		case err := <-e.runErr:
			e.stopOnce.Do(func() { e.cancel(); e.stopErr = err })
			if err == nil || !strings.Contains(err.Error(), "executing block 4: application connection broken") {
				t.Fatalf("Run returned %v", err)
			}
		}
	})
}
