package config

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ValidationError reports one key whose value ValidateBasic rejects.
type ValidationError struct {
	Key    string // dotted key, e.g. "consensus.timeout_propose"
	Value  string // the rejected value as shown to the operator
	Reason string // what is wrong, e.g. "can't be negative"
}

// Error renders "config: <key> <reason> (got <value>)".
func (e *ValidationError) Error() string {
	return fmt.Sprintf("config: %s %s (got %s)", e.Key, e.Reason, e.Value)
}

// ValidateBasic checks every key against the rules CometBFT v0.38.26
// enforces (bounds, enumerations, state sync requirements) plus the
// cross-section rule that the nop mempool needs create_empty_blocks. It does
// not touch the file system or the network. The error joins one
// *ValidationError per bad key (use errors.As to inspect one); nil means the
// configuration is usable.
func (cfg *Config) ValidateBasic() error {
	if err := cfg.checkSections(); err != nil {
		return err
	}
	errs := []error{
		cfg.BaseConfig.ValidateBasic(),
		cfg.RPC.ValidateBasic(),
		cfg.P2P.ValidateBasic(),
		cfg.Mempool.ValidateBasic(),
		cfg.StateSync.ValidateBasic(),
		cfg.BlockSync.ValidateBasic(),
		cfg.Consensus.ValidateBasic(),
		cfg.TxIndex.ValidateBasic(),
		cfg.Instrumentation.ValidateBasic(),
	}
	if cfg.Mempool.Type == MempoolTypeNop && !cfg.Consensus.CreateEmptyBlocks {
		errs = append(errs, &ValidationError{
			Key:    "consensus.create_empty_blocks",
			Value:  "false",
			Reason: `must be true when mempool.type is "nop"`,
		})
	}
	return errors.Join(errs...)
}

// checkSections reports the first nil section of cfg.
func (cfg *Config) checkSections() error {
	if cfg == nil {
		return errors.New("config: nil *Config")
	}
	for _, s := range schema().sections {
		if s.name != "" && cfg.section(s).IsNil() {
			return fmt.Errorf("config: section [%s] is nil", s.name)
		}
	}
	return nil
}

// checker collects validation failures of one section.
type checker struct {
	section string // "" for top-level keys
	errs    []error
}

// fail records that key (relative to the section) has a bad value.
func (c *checker) fail(key string, value any, reason string) {
	if c.section != "" {
		key = c.section + "." + key
	}
	c.errs = append(c.errs, &ValidationError{Key: key, Value: shown(value), Reason: reason})
}

// oneOf records a failure unless value is one of allowed.
func (c *checker) oneOf(key, value string, allowed ...string) {
	for _, a := range allowed {
		if value == a {
			return
		}
	}
	quoted := make([]string, len(allowed))
	for i, a := range allowed {
		quoted[i] = fmt.Sprintf("%q", a)
	}
	c.fail(key, value, "must be one of "+strings.Join(quoted, ", "))
}

// err returns the joined failures, or nil.
func (c *checker) err() error { return errors.Join(c.errs...) }

// nonNegative records a failure when v < 0.
func nonNegative[T ~int | ~int32 | ~int64](c *checker, key string, v T) {
	if v < 0 {
		c.fail(key, v, "can't be negative")
	}
}

// atLeast records a failure when v < lo.
func atLeast[T ~int | ~int32 | ~int64](c *checker, key string, v, lo T, reason string) {
	if v < lo {
		c.fail(key, v, reason)
	}
}

// shown renders a value for an error message: strings quoted, durations in
// Go syntax, everything else with %v.
func shown(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("%q", v)
	case []string:
		return fmt.Sprintf("%q", v)
	case time.Duration:
		return v.String()
	default:
		return fmt.Sprintf("%v", v)
	}
}
