package load

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Block is a committed block as the load generator needs it.
type Block struct {
	Height int64
	Time   time.Time // header time
	Txs    [][]byte
}

// rpcBlock is the part of a block's JSON (`block` route, NewBlock event) that is read.
type rpcBlock struct {
	Header struct {
		Height string    `json:"height"`
		Time   time.Time `json:"time"`
	} `json:"header"`
	Data struct {
		Txs [][]byte `json:"txs"` // base64
	} `json:"data"`
}

func (b *rpcBlock) toBlock() (Block, error) {
	h, err := strconv.ParseInt(b.Header.Height, 10, 64)
	if err != nil || h <= 0 {
		return Block{}, fmt.Errorf("%w: block height %q", errMalformed, b.Header.Height)
	}
	return Block{Height: h, Time: b.Header.Time, Txs: b.Data.Txs}, nil
}

// decodeBlockResult decodes the result of the `block` route: {block_id, block}.
func decodeBlockResult(raw []byte) (Block, error) {
	var res struct {
		Block *rpcBlock `json:"block"`
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		return Block{}, fmt.Errorf("%w: block result: %v", errMalformed, err)
	}
	if res.Block == nil {
		return Block{}, fmt.Errorf("%w: block result without block", errMalformed)
	}
	return res.Block.toBlock()
}

const newBlockType = "tendermint/event/NewBlock"

// eventMessage is a websocket message: a reply to a request (subscribe) or an event delivery
// reusing the subscribe request's id.
type eventMessage struct {
	ID     json.RawMessage `json:"id"`
	Result *struct {
		Query string `json:"query"`
		Data  *struct {
			Type  string          `json:"type"`
			Value json.RawMessage `json:"value"`
		} `json:"data"`
	} `json:"result"`
	Error *rpcError `json:"error"`
}

// decodeEvent decodes one websocket message. It returns the block of a NewBlock event, ok =
// false for any other reply (a subscribe acknowledgement `{}`, another event), and an error
// for an error reply or a malformed message.
func decodeEvent(msg []byte) (b Block, ok bool, err error) {
	var m eventMessage
	if err := json.Unmarshal(msg, &m); err != nil {
		return Block{}, false, fmt.Errorf("%w: websocket message: %v", errMalformed, err)
	}
	if m.Error != nil {
		return Block{}, false, m.Error
	}
	if m.Result == nil || m.Result.Data == nil || m.Result.Data.Type != newBlockType {
		return Block{}, false, nil
	}
	var v struct {
		Block *rpcBlock `json:"block"`
	}
	if err := json.Unmarshal(m.Result.Data.Value, &v); err != nil {
		return Block{}, false, fmt.Errorf("%w: NewBlock event: %v", errMalformed, err)
	}
	if v.Block == nil {
		return Block{}, false, fmt.Errorf("%w: NewBlock event without block", errMalformed)
	}
	b, err = v.Block.toBlock()
	return b, err == nil, err
}
