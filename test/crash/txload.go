package crash

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// AckedTx is a kvstore transaction ("Key=Value") the node acknowledged as committed at Height:
// broadcast_tx_commit returned success for it.
type AckedTx struct {
	Key, Value string
	Height     int64
}

// Tx returns the transaction's bytes as the block holds them.
func (t AckedTx) Tx() string { return t.Key + "=" + t.Value }

// txLoad submits unique kvstore transactions to a node's RPC with broadcast_tx_commit from a
// few workers while the node runs, and records those acknowledged as committed. A Home with a
// txLoad runs it during every run of its node.
type txLoad struct {
	url     string // http://host:port of the node's RPC
	prefix  string // keeps keys unique per chain
	workers int
	client  *http.Client

	ackSignal chan struct{} // receives (without blocking the sender) after every acknowledgement

	mu         sync.Mutex
	seq        int
	acked      []AckedTx
	ackedTotal int // acknowledgements ever, including those already taken
	answered   int // requests the RPC answered at all
	failed     int // requests refused, timed out or cut off by a crash
}

func newTxLoad(rpcAddr, prefix string, workers int) *txLoad {
	return &txLoad{
		url:       "http://" + strings.TrimPrefix(rpcAddr, "tcp://"),
		prefix:    prefix,
		workers:   workers,
		client:    &http.Client{},
		ackSignal: make(chan struct{}, 1),
	}
}

// acks returns a channel that receives after acknowledgements (at most one waiting signal for
// any number of them); ackCount tells how many there were.
func (l *txLoad) acks() <-chan struct{} { return l.ackSignal }

// ackCount returns how many transactions were acknowledged as committed so far.
func (l *txLoad) ackCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ackedTotal
}

// run submits transactions until ctx is done. When the RPC can't be reached (the node is
// starting, or has no RPC) a worker waits for the next committed block before trying again.
func (l *txLoad) run(ctx context.Context, w *logWatcher) {
	var wg sync.WaitGroup
	for range l.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if l.submit(ctx) {
					continue
				}
				select {
				case <-w.nextCommit():
				case <-ctx.Done():
				}
			}
		}()
	}
	wg.Wait()
}

// submit sends one new transaction and reports whether the RPC answered.
func (l *txLoad) submit(ctx context.Context) bool {
	l.mu.Lock()
	l.seq++
	tx := AckedTx{Key: fmt.Sprintf("%s-%d", l.prefix, l.seq), Value: fmt.Sprintf("v%d", l.seq)}
	l.mu.Unlock()

	height, err := l.broadcastTxCommit(ctx, tx.Tx())
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		l.failed++
		return false
	}
	l.answered++
	if height > 0 {
		tx.Height = height
		l.acked = append(l.acked, tx)
		l.ackedTotal++
		select {
		case l.ackSignal <- struct{}{}:
		default:
		}
	}
	return true
}

// rpcTxCommit is the part of broadcast_tx_commit's answer the load reads (rpc.md §5.6).
type rpcTxCommit struct {
	Result *struct {
		CheckTx  struct{ Code uint32 } `json:"check_tx"`
		TxResult struct{ Code uint32 } `json:"tx_result"`
		Height   string                `json:"height"`
	} `json:"result"`
	Error *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Data    string `json:"data"`
	} `json:"error"`
}

// broadcastTxCommit submits tx and returns the height it was committed at, or 0 if the node
// answered but did not commit it (CheckTx or the block refused it, or an RPC error).
func (l *txLoad) broadcastTxCommit(ctx context.Context, tx string) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, l.url+"/broadcast_tx_commit?tx=0x"+hex.EncodeToString([]byte(tx)), nil)
	if err != nil {
		return 0, err
	}
	resp, err := l.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, err
	}
	return parseTxCommit(body)
}

// parseTxCommit reads a broadcast_tx_commit answer: the commit height when both CheckTx and
// the block accepted the transaction, 0 when the node refused it; an error for an answer that
// is not a JSON-RPC response.
func parseTxCommit(body []byte) (int64, error) {
	var r rpcTxCommit
	if err := json.Unmarshal(body, &r); err != nil {
		return 0, fmt.Errorf("broadcast_tx_commit: not a JSON-RPC answer: %w", err)
	}
	if r.Error != nil || r.Result == nil || r.Result.CheckTx.Code != 0 || r.Result.TxResult.Code != 0 {
		return 0, nil
	}
	h, err := strconv.ParseInt(r.Result.Height, 10, 64)
	if err != nil || h < 0 {
		return 0, fmt.Errorf("broadcast_tx_commit: height %q", r.Result.Height)
	}
	return h, nil
}

// take returns the transactions acknowledged since the last take, and the counts of answered
// and failed requests so far.
func (l *txLoad) take() (acked []AckedTx, answered, failed int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	acked, l.acked = l.acked, nil
	return acked, l.answered, l.failed
}
