package reactor

import "sync"

// peerHeight is a peer's consensus height as last announced, for other reactors: a reader gets
// the height and a channel that is closed when it changes, so it can wait instead of polling.
type peerHeight struct {
	mu      sync.Mutex
	height  int64
	changed chan struct{}
}

func newPeerHeight() *peerHeight { return &peerHeight{changed: make(chan struct{})} }

// set records height; readers waiting on the previous channel are woken if it differs.
func (h *peerHeight) set(height int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if height == h.height {
		return
	}
	h.height = height
	close(h.changed)
	h.changed = make(chan struct{})
}

// get returns the height and the channel closed at its next change.
func (h *peerHeight) get() (int64, <-chan struct{}) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.height, h.changed
}
