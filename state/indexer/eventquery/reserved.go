package eventquery

// ReservedKeyError is returned when an indexed event's type and attribute key compose to a key
// the indexer reserves for itself (tx.hash and tx.height for transactions, block.height for
// blocks). Indexing fails as a whole: nothing of the batch or block is written. The text is
// CometBFT's.
type ReservedKeyError struct {
	Key string // the composite key, "type.attribute"
}

func (e *ReservedKeyError) Error() string {
	return `event type and attribute key "` + e.Key + `" is reserved; please use a different key`
}

// CheckReserved returns a *ReservedKeyError if compositeKey is one of reserved.
func CheckReserved(compositeKey string, reserved ...string) error {
	for _, r := range reserved {
		if compositeKey == r {
			return &ReservedKeyError{Key: compositeKey}
		}
	}
	return nil
}

// CompositeKey returns the key an event attribute is indexed under: "type.attribute".
func CompositeKey(eventType, attributeKey string) string {
	return eventType + "." + attributeKey
}
