package kvstore

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
)

// Transaction prefixes.
const (
	// ValidatorPrefix starts a validator update: "val=<type>!<base64 pubkey>!<power>".
	ValidatorPrefix = "val="
	// GetPrefix starts a read executed as a transaction: "get:<key>:<nonce>".
	GetPrefix = "get:"
	// CASPrefix starts a compare-and-set: "cas:<key>:<expected>:<new>[:<nonce>]".
	CASPrefix = "cas:"
)

// txKind is what a transaction asks for.
type txKind int

const (
	kindInvalid txKind = iota
	kindSet
	kindValidator
	kindGet
	kindCAS
)

// parsedTx is a classified transaction. Slices alias the transaction bytes.
type parsedTx struct {
	kind     txKind
	key      []byte // set, get, cas
	value    []byte // set: the value; cas: the new value
	expected []byte // cas: the value the key must hold (empty: the key must be absent)
	val      validatorTx
	err      error // kindInvalid: why
}

// validatorTx is the decoded body of a validator update transaction.
type validatorTx struct {
	keyType string
	pubKey  []byte
	power   int64
}

var errBadFormat = errors.New("expected key=value, key:value, val=<type>!<pubkey>!<power>, " +
	"get:<key>:<nonce> or cas:<key>:<expected>:<new>[:<nonce>]")

// parseTx classifies tx. The rules, in order:
//  1. a "val=" prefix makes a validator update (CometBFT's rule: three '!'-separated fields,
//     standard base64 key, decimal power >= 0);
//  2. a "get:" or "cas:" prefix followed by at least one more ':' makes a ballot operation —
//     CometBFT's kvstore rejects every such transaction, so the two never collide;
//  3. exactly one '=' and no ':' (or one ':' and no '='), not first nor last, makes a set.
func parseTx(tx []byte) parsedTx {
	switch {
	case bytes.HasPrefix(tx, []byte(ValidatorPrefix)):
		v, err := parseValidatorTx(tx)
		if err != nil {
			return parsedTx{err: err}
		}
		return parsedTx{kind: kindValidator, val: v}
	case bytes.HasPrefix(tx, []byte(GetPrefix)) && bytes.Count(tx, []byte(":")) >= 2:
		return parseGetTx(tx[len(GetPrefix):])
	case bytes.HasPrefix(tx, []byte(CASPrefix)) && bytes.Count(tx, []byte(":")) >= 2:
		return parseCASTx(tx[len(CASPrefix):])
	}
	for _, sep := range []byte{'=', ':'} {
		other := byte(':')
		if sep == ':' {
			other = '='
		}
		if bytes.Count(tx, []byte{sep}) == 1 && bytes.IndexByte(tx, other) < 0 &&
			tx[0] != sep && tx[len(tx)-1] != sep {
			i := bytes.IndexByte(tx, sep)
			return parsedTx{kind: kindSet, key: tx[:i], value: tx[i+1:]}
		}
	}
	return parsedTx{err: errBadFormat}
}

// parseValidatorTx decodes "val=<type>!<base64 pubkey>!<power>". It checks what CometBFT's
// CheckTx checks; the key type and length are checked at execution (see validatorUpdate).
func parseValidatorTx(tx []byte) (validatorTx, error) {
	fields := bytes.Split(tx[len(ValidatorPrefix):], []byte("!"))
	if len(fields) != 3 {
		return validatorTx{}, fmt.Errorf("validator update: expected 'pubkeytype!pubkey!power', got %d fields", len(fields))
	}
	pub, err := base64.StdEncoding.DecodeString(string(fields[1]))
	if err != nil {
		return validatorTx{}, fmt.Errorf("validator update: pubkey %q is not valid base64", fields[1])
	}
	power, err := strconv.ParseInt(string(fields[2]), 10, 64)
	if err != nil {
		return validatorTx{}, fmt.Errorf("validator update: power %q is not an int", fields[2])
	}
	if power < 0 {
		return validatorTx{}, fmt.Errorf("validator update: power %d is negative", power)
	}
	return validatorTx{keyType: string(fields[0]), pubKey: pub, power: power}, nil
}

// parseGetTx decodes the part after "get:": "<key>:<nonce>".
func parseGetTx(body []byte) parsedTx {
	i := bytes.IndexByte(body, ':')
	key := body[:i]
	if err := checkKey(key); err != nil {
		return parsedTx{err: fmt.Errorf("get: %w", err)}
	}
	return parsedTx{kind: kindGet, key: key}
}

// parseCASTx decodes the part after "cas:": "<key>:<expected>:<new>[:<nonce>]".
func parseCASTx(body []byte) parsedTx {
	fields := bytes.SplitN(body, []byte(":"), 4)
	if len(fields) < 3 {
		return parsedTx{err: errors.New("cas: expected cas:<key>:<expected>:<new>[:<nonce>]")}
	}
	key, expected, newValue := fields[0], fields[1], fields[2]
	if err := checkKey(key); err != nil {
		return parsedTx{err: fmt.Errorf("cas: %w", err)}
	}
	if bytes.IndexByte(expected, '=') >= 0 {
		return parsedTx{err: errors.New("cas: expected value contains '='")}
	}
	if len(newValue) == 0 || bytes.IndexByte(newValue, '=') >= 0 {
		return parsedTx{err: errors.New("cas: new value must be non-empty and without '='")}
	}
	return parsedTx{kind: kindCAS, key: key, expected: expected, value: newValue}
}

// checkKey enforces what a set transaction can express: a non-empty key without '=' or ':'.
func checkKey(key []byte) error {
	if len(key) == 0 {
		return errors.New("empty key")
	}
	if bytes.ContainsAny(key, "=:") {
		return errors.New("key contains '=' or ':'")
	}
	return nil
}

// NewTx returns the set transaction "key=value". The caller keeps key and value free of '='
// and ':' and non-empty, or the transaction is invalid.
func NewTx(key, value string) []byte {
	return []byte(key + "=" + value)
}

// NewGetTx returns the read transaction "get:<key>:<nonce>". Distinct nonces make otherwise
// identical reads distinct transactions (the mempool drops exact duplicates); the nonce may
// be empty and may contain any byte.
func NewGetTx(key, nonce string) []byte {
	return []byte(GetPrefix + key + ":" + nonce)
}

// NewCASTx returns the compare-and-set transaction "cas:<key>:<expected>:<new>", with
// ":<nonce>" appended when nonce is non-empty. An empty expected value means "the key is
// absent".
func NewCASTx(key, expected, newValue, nonce string) []byte {
	tx := CASPrefix + key + ":" + expected + ":" + newValue
	if nonce != "" {
		tx += ":" + nonce
	}
	return []byte(tx)
}

// NewValidatorTx returns the validator update "val=<keyType>!<base64 pubKey>!<power>"; power
// 0 removes the validator. keyType is "ed25519" (also the meaning of "") or "secp256k1".
func NewValidatorTx(keyType string, pubKey []byte, power int64) []byte {
	return fmt.Appendf(nil, "%s%s!%s!%d", ValidatorPrefix, keyType,
		base64.StdEncoding.EncodeToString(pubKey), power)
}
