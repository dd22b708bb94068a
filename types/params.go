package types

import (
	"errors"
	"fmt"
	"time"

	"github.com/ballot-bft/ballot/crypto/tmhash"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
)

// Public-key type names as they appear in ValidatorParams.PubKeyTypes and in ABCI validator
// updates (not the amino JSON names).
const (
	PubKeyTypeEd25519   = "ed25519"
	PubKeyTypeSecp256k1 = "secp256k1"
	PubKeyTypeMLDSA65   = "ml_dsa_65"
)

// ErrInvalidConsensusParams wraps every error returned by ConsensusParams.ValidateBasic and
// ConsensusParams.ValidateUpdate.
var ErrInvalidConsensusParams = errors.New("invalid consensus params")

// ConsensusParams are the chain parameters consensus enforces. They are fixed by genesis and may
// be changed by the application through FinalizeBlock's consensus_param_updates.
//
// A ConsensusParams is a plain value; Update returns a changed copy and never modifies its
// receiver. The JSON form (params_json.go) is CometBFT's: every integer is a decimal string.
type ConsensusParams struct {
	Block     BlockParams
	Evidence  EvidenceParams
	Validator ValidatorParams
	Version   VersionParams
	ABCI      ABCIParams
}

// BlockParams bound the size and gas of a block.
type BlockParams struct {
	// MaxBytes is the largest proto-encoded block in bytes; -1 means MaxBlockSizeBytes (100 MiB).
	MaxBytes int64
	// MaxGas is the largest total gas of a block's transactions; -1 means unlimited.
	MaxGas int64
}

// EvidenceParams bound which evidence is still accepted and how much of a block it may fill.
// Evidence expires only when it is older than both MaxAgeNumBlocks and MaxAgeDuration.
type EvidenceParams struct {
	MaxAgeNumBlocks int64
	MaxAgeDuration  time.Duration
	MaxBytes        int64
}

// ValidatorParams restrict the key types validators may use (names as PubKeyTypeEd25519...).
type ValidatorParams struct {
	PubKeyTypes []string
}

// VersionParams hold the application protocol version.
type VersionParams struct {
	App uint64
}

// ABCIParams configure ABCI features.
type ABCIParams struct {
	// VoteExtensionsEnableHeight is the first height whose non-nil precommits must carry vote
	// extensions; 0 means vote extensions are disabled.
	VoteExtensionsEnableHeight int64
}

// DefaultConsensusParams returns CometBFT v0.38's defaults: 21 MiB blocks without a gas limit,
// evidence valid for 100000 blocks or 48 h and up to 1 MiB per block, ed25519 validators, app
// version 0 and vote extensions disabled. Each call returns a fresh value.
func DefaultConsensusParams() *ConsensusParams {
	return &ConsensusParams{
		Block: BlockParams{MaxBytes: 22020096, MaxGas: -1},
		Evidence: EvidenceParams{
			MaxAgeNumBlocks: 100000,
			MaxAgeDuration:  48 * time.Hour,
			MaxBytes:        1048576,
		},
		Validator: ValidatorParams{PubKeyTypes: []string{PubKeyTypeEd25519}},
	}
}

// knownPubKeyTypes are the key types a chain may allow.
var knownPubKeyTypes = map[string]bool{
	PubKeyTypeEd25519:   true,
	PubKeyTypeSecp256k1: true,
	PubKeyTypeMLDSA65:   true,
}

// IsValidPubKeyType reports whether keyType is one of the allowed key types.
func (p ValidatorParams) IsValidPubKeyType(keyType string) bool {
	for _, t := range p.PubKeyTypes {
		if t == keyType {
			return true
		}
	}
	return false
}

// VoteExtensionsEnabled reports whether vote extensions are required at height h. The height must
// be at least 1: asking about an earlier height is a programming error and panics.
func (p ABCIParams) VoteExtensionsEnabled(h int64) bool {
	if h < 1 {
		panic(fmt.Sprintf("types: VoteExtensionsEnabled asked for height %d (< 1)", h))
	}
	return p.VoteExtensionsEnableHeight != 0 && h >= p.VoteExtensionsEnableHeight
}

// ValidateBasic checks every parameter against its allowed range (operator.md §5.1). The error
// wraps ErrInvalidConsensusParams and names the offending field and value.
func (p ConsensusParams) ValidateBasic() error {
	invalid := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidConsensusParams, fmt.Sprintf(format, args...))
	}
	switch {
	case p.Block.MaxBytes == 0:
		return invalid("block.max_bytes must not be 0 (use -1 for the %d-byte maximum)", MaxBlockSizeBytes)
	case p.Block.MaxBytes < -1:
		return invalid("block.max_bytes must be -1 or greater than 0, got %d", p.Block.MaxBytes)
	case p.Block.MaxBytes > MaxBlockSizeBytes:
		return invalid("block.max_bytes %d exceeds the maximum %d", p.Block.MaxBytes, MaxBlockSizeBytes)
	case p.Block.MaxGas < -1:
		return invalid("block.max_gas must be -1 or greater, got %d", p.Block.MaxGas)
	case p.Evidence.MaxAgeNumBlocks <= 0:
		return invalid("evidence.max_age_num_blocks must be greater than 0, got %d", p.Evidence.MaxAgeNumBlocks)
	case p.Evidence.MaxAgeDuration <= 0:
		return invalid("evidence.max_age_duration must be greater than 0, got %v", p.Evidence.MaxAgeDuration)
	}
	blockMax := p.Block.MaxBytes
	if blockMax == -1 {
		blockMax = MaxBlockSizeBytes
	}
	switch {
	case p.Evidence.MaxBytes > blockMax:
		return invalid("evidence.max_bytes %d exceeds the block's maximum size %d", p.Evidence.MaxBytes, blockMax)
	case p.Evidence.MaxBytes < 0:
		return invalid("evidence.max_bytes must not be negative, got %d", p.Evidence.MaxBytes)
	case p.ABCI.VoteExtensionsEnableHeight < 0:
		return invalid("abci.vote_extensions_enable_height must not be negative, got %d",
			p.ABCI.VoteExtensionsEnableHeight)
	case len(p.Validator.PubKeyTypes) == 0:
		return invalid("validator.pub_key_types must list at least one key type")
	}
	for i, t := range p.Validator.PubKeyTypes {
		if !knownPubKeyTypes[t] {
			return invalid("validator.pub_key_types[%d] %q is not a known key type (ed25519, secp256k1, ml_dsa_65)", i, t)
		}
	}
	return nil
}

// ValidateUpdate checks an application's consensus-param update, returned while executing height
// h, against the rules CometBFT v0.38 enforces on abci.vote_extensions_enable_height (the other
// sections are checked by ValidateBasic on the updated params). With current enable height E and
// requested height U:
//   - U < 0 is invalid; U == E is always accepted (a no-op);
//   - U == 0 disables extensions, allowed only while they are not yet enabled (E == 0 or E > h);
//   - U > 0 must lie in the future (U > h) and may replace E only while E is 0 or still in the
//     future (E > h).
//
// A nil update or one without an ABCI section is accepted. Errors wrap ErrInvalidConsensusParams.
func (p ConsensusParams) ValidateUpdate(updates *tmproto.ConsensusParams, h int64) error {
	if updates == nil || updates.Abci == nil {
		return nil
	}
	cur, next := p.ABCI.VoteExtensionsEnableHeight, updates.Abci.VoteExtensionsEnableHeight
	switch {
	case next < 0:
		return fmt.Errorf("%w: abci.vote_extensions_enable_height must not be negative, got %d",
			ErrInvalidConsensusParams, next)
	case next == cur:
		return nil
	case next == 0:
		if cur > 0 && cur <= h {
			return fmt.Errorf("%w: vote extensions cannot be disabled once enabled (enabled at height %d, current height %d)",
				ErrInvalidConsensusParams, cur, h)
		}
		return nil
	case next <= h:
		return fmt.Errorf("%w: abci.vote_extensions_enable_height cannot be set to past or current height %d (current height %d)",
			ErrInvalidConsensusParams, next, h)
	case cur > 0 && cur <= h:
		return fmt.Errorf("%w: abci.vote_extensions_enable_height cannot be changed once vote extensions are enabled (enabled at height %d, current height %d)",
			ErrInvalidConsensusParams, cur, h)
	}
	return nil
}

// Hash returns the header's consensus_hash: SHA-256 of proto(HashedParams{block.max_bytes,
// block.max_gas}). No other parameter is hashed.
func (p ConsensusParams) Hash() []byte {
	hp := tmproto.HashedParams{BlockMaxBytes: p.Block.MaxBytes, BlockMaxGas: p.Block.MaxGas}
	bz, err := hp.Marshal()
	if err != nil {
		panic(fmt.Sprintf("types: encoding HashedParams: %v", err))
	}
	return tmhash.Sum(bz)
}

// Update returns a copy of p with every non-nil section of updates applied wholesale (the ABCI
// rule: a present section replaces all its fields). p is not modified; the result is not
// validated.
func (p ConsensusParams) Update(updates *tmproto.ConsensusParams) ConsensusParams {
	res := p
	res.Validator.PubKeyTypes = append([]string(nil), p.Validator.PubKeyTypes...)
	if updates == nil {
		return res
	}
	if b := updates.Block; b != nil {
		res.Block = BlockParams{MaxBytes: b.MaxBytes, MaxGas: b.MaxGas}
	}
	if e := updates.Evidence; e != nil {
		res.Evidence = EvidenceParams{
			MaxAgeNumBlocks: e.MaxAgeNumBlocks,
			MaxAgeDuration:  e.MaxAgeDuration,
			MaxBytes:        e.MaxBytes,
		}
	}
	if v := updates.Validator; v != nil {
		res.Validator.PubKeyTypes = append([]string(nil), v.PubKeyTypes...)
	}
	if v := updates.Version; v != nil {
		res.Version.App = v.App
	}
	if a := updates.Abci; a != nil {
		res.ABCI.VoteExtensionsEnableHeight = a.VoteExtensionsEnableHeight
	}
	return res
}

// ToProto returns the wire form with every section present. The result does not alias p.
func (p ConsensusParams) ToProto() tmproto.ConsensusParams {
	return tmproto.ConsensusParams{
		Block: &tmproto.BlockParams{MaxBytes: p.Block.MaxBytes, MaxGas: p.Block.MaxGas},
		Evidence: &tmproto.EvidenceParams{
			MaxAgeNumBlocks: p.Evidence.MaxAgeNumBlocks,
			MaxAgeDuration:  p.Evidence.MaxAgeDuration,
			MaxBytes:        p.Evidence.MaxBytes,
		},
		Validator: &tmproto.ValidatorParams{PubKeyTypes: append([]string(nil), p.Validator.PubKeyTypes...)},
		Version:   &tmproto.VersionParams{App: p.Version.App},
		Abci:      &tmproto.ABCIParams{VoteExtensionsEnableHeight: p.ABCI.VoteExtensionsEnableHeight},
	}
}

// ConsensusParamsFromProto converts the wire form. A missing section becomes its zero value
// (which ValidateBasic rejects for block, evidence and validator); the result is not validated.
func ConsensusParamsFromProto(pb tmproto.ConsensusParams) ConsensusParams {
	return ConsensusParams{}.Update(&pb)
}
