package query

import (
	"errors"
	"fmt"
	"strings"
)

// SyntaxError is a query that does not parse. Its text is CometBFT's, "offset N: <reason>",
// e.g. "offset 9: got = operator, wanted number, timestamp, datestamp or string".
type SyntaxError struct {
	Offset int    // byte offset of the offending token in the query
	Reason string // what was wrong there
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("offset %d: %s", e.Offset, e.Reason) }

// Parse parses a query. Bad input yields a *SyntaxError; Parse never panics.
func Parse(s string) (*Query, error) {
	p := parser{lex: lexer{src: s}}
	conds, err := p.query()
	if err != nil {
		return nil, err
	}
	return newQuery(conds), nil
}

// MustParse is Parse for queries known to be valid (package-level query variables); it
// panics on a syntax error.
func MustParse(s string) *Query {
	q, err := Parse(s)
	if err != nil {
		panic(fmt.Sprintf("query.MustParse(%q): %v", s, err))
	}
	return q
}

// parser is a recursive-descent parser over the lexer's tokens.
type parser struct {
	lex lexer
}

// query = condition { "AND" condition } EOF
func (p *parser) query() ([]Condition, error) {
	cond, err := p.condition()
	if err != nil {
		return nil, err
	}
	conds := []Condition{cond}
	for {
		tok, err := p.lex.next()
		if errors.Is(err, errEOF) {
			return conds, nil
		}
		if err != nil || tok.kind != tokAnd { // CometBFT prints the wanted token as its number
			return nil, &SyntaxError{Offset: tok.pos, Reason: fmt.Sprintf("got %v, want %d", tok.kind, tokAnd)}
		}
		if cond, err = p.condition(); err != nil {
			return nil, err
		}
		conds = append(conds, cond)
	}
}

// condition = tag ( "EXISTS" | "CONTAINS" string | "=" operand | order ( number | time | date ) )
func (p *parser) condition() (Condition, error) {
	tag, err := p.expect(tokTag)
	if err != nil {
		return Condition{}, err
	}
	op, err := p.expect(tokLeq, tokGeq, tokLt, tokGt, tokEq, tokContains, tokExists)
	if err != nil {
		return Condition{}, err
	}
	cond := Condition{Tag: tag.text}
	var arg token
	switch op.kind {
	case tokExists:
		cond.Op = OpExists
		return cond, nil
	case tokContains:
		cond.Op = OpContains
		arg, err = p.expect(tokString)
	case tokEq:
		cond.Op = OpEqual
		arg, err = p.expect(tokNumber, tokTime, tokDate, tokString)
	default:
		cond.Op = orderOps[op.kind]
		arg, err = p.expect(tokNumber, tokTime, tokDate)
	}
	if err != nil {
		return Condition{}, err
	}
	cond.Operand = Operand{Kind: operandKinds[arg.kind], Text: arg.text}
	return cond, nil
}

var orderOps = map[tokenKind]Op{tokLt: OpLess, tokLeq: OpLessEqual, tokGt: OpGreater, tokGeq: OpGreaterEqual}

var operandKinds = map[tokenKind]OperandKind{
	tokString: KindString, tokNumber: KindNumber, tokTime: KindTime, tokDate: KindDate,
}

// expect reads the next token and requires it to be one of kinds.
func (p *parser) expect(kinds ...tokenKind) (token, error) {
	tok, err := p.lex.next()
	if err != nil {
		return token{}, &SyntaxError{Offset: tok.pos, Reason: err.Error()}
	}
	for _, k := range kinds {
		if tok.kind == k {
			return tok, nil
		}
	}
	return token{}, &SyntaxError{Offset: tok.pos, Reason: fmt.Sprintf("got %v, wanted %s", tok.kind, kindList(kinds))}
}

// kindList names token kinds as "a, b or c".
func kindList(kinds []tokenKind) string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = k.String()
	}
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
