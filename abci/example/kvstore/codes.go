package kvstore

// Response codes. The values 0–5 are CometBFT's kvstore codes; 20 and 21 belong to ballot's
// extensions (compare-and-set and query at a height) and never appear for a transaction that
// CometBFT's kvstore accepts.
const (
	// CodeTypeOK is success.
	CodeTypeOK uint32 = 0
	// CodeTypeEncodingError is kept for CometBFT compatibility; the kvstore never returns it.
	CodeTypeEncodingError uint32 = 1
	// CodeTypeInvalidTxFormat rejects a transaction that matches none of the accepted forms,
	// or a validator update whose key type or key length is unusable.
	CodeTypeInvalidTxFormat uint32 = 2
	// CodeTypeUnauthorized is kept for CometBFT compatibility; the kvstore never returns it.
	CodeTypeUnauthorized uint32 = 3
	// CodeTypeExecuted is kept for CometBFT compatibility; the kvstore never returns it.
	CodeTypeExecuted uint32 = 5
	// CodeTypeCASMismatch is the result of a compare-and-set whose expected value differs from
	// the key's current value; the state is unchanged and ExecTxResult.Data holds the current
	// value (empty when the key is absent).
	CodeTypeCASMismatch uint32 = 20
	// CodeTypeHeightUnavailable answers a query at a height the store does not hold: above
	// the last committed height, or below the earliest retained one (after a snapshot restore).
	CodeTypeHeightUnavailable uint32 = 21
)
