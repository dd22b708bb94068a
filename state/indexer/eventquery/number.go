package eventquery

import "math/big"

// floatPrecision is the precision, in bits, of non-integer numbers (CometBFT's).
const floatPrecision = 125

// OperandNumber reads a condition operand's text as a number the way CometBFT's query
// arguments do, whatever the operand's kind: a base-10 integer (optional sign) exactly,
// otherwise anything big.ParseFloat accepts at 125 bits. ok is false for anything else.
func OperandNumber(text string) (f *big.Float, ok bool) {
	return ValueNumber(text)
}

// ValueNumber reads a stored attribute value as a number the way the kv indexers do: a base-10
// integer (optional sign) exactly, otherwise anything big.ParseFloat accepts in base 10 at 125
// bits ("1.5", "-2e3", "Inf"). ok is false for anything else ("8atom", "", " 5").
func ValueNumber(v string) (f *big.Float, ok bool) {
	if i, isInt := new(big.Int).SetString(v, 10); isInt {
		// SetInt on a zero-precision float keeps every bit of the integer.
		return new(big.Float).SetInt(i), true
	}
	f, _, err := big.ParseFloat(v, 10, floatPrecision, big.ToNearestEven)
	if err != nil {
		return nil, false
	}
	return f, true
}
