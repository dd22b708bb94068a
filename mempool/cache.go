package mempool

import (
	"container/list"

	"github.com/ballot-bft/ballot/types"
)

// txCache is the dedup cache: the most recently pushed transaction keys, at most size of them
// (least recently used first out). A size of 0 disables it: push always reports a new key. It is
// not safe for concurrent use; the pool guards it with its mutex.
type txCache struct {
	size  int
	order *list.List // of types.TxKey, most recent at the front
	keys  map[types.TxKey]*list.Element
}

func newTxCache(size int) *txCache {
	return &txCache{size: size, order: list.New(), keys: make(map[types.TxKey]*list.Element)}
}

// push records key as most recently used. It reports false if key was already cached.
func (c *txCache) push(key types.TxKey) bool {
	if c.size <= 0 {
		return true
	}
	if elem, ok := c.keys[key]; ok {
		c.order.MoveToFront(elem)
		return false
	}
	if c.order.Len() >= c.size {
		oldest := c.order.Back()
		delete(c.keys, oldest.Value.(types.TxKey))
		c.order.Remove(oldest)
	}
	c.keys[key] = c.order.PushFront(key)
	return true
}

// remove forgets key, so the transaction can be submitted again.
func (c *txCache) remove(key types.TxKey) {
	if elem, ok := c.keys[key]; ok {
		delete(c.keys, key)
		c.order.Remove(elem)
	}
}

// has reports whether key is cached, without touching its recency.
func (c *txCache) has(key types.TxKey) bool {
	_, ok := c.keys[key]
	return ok
}

// reset forgets every key.
func (c *txCache) reset() {
	c.order.Init()
	clear(c.keys)
}
