package query

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// tokenKind is the lexical class of a token.
type tokenKind uint8

const (
	tokInvalid tokenKind = iota
	tokTag
	tokString
	tokNumber
	tokTime
	tokDate
	tokAnd
	tokContains
	tokExists
	tokEq
	tokLt
	tokLeq
	tokGt
	tokGeq
)

// tokenNames are CometBFT's token labels, which appear in parse errors.
var tokenNames = [...]string{
	tokInvalid:  "invalid token",
	tokTag:      "tag",
	tokString:   "string",
	tokNumber:   "number",
	tokTime:     "timestamp",
	tokDate:     "datestamp",
	tokAnd:      "AND operator",
	tokContains: "CONTAINS operator",
	tokExists:   "EXISTS operator",
	tokEq:       "= operator",
	tokLt:       "< operator",
	tokLeq:      "<= operator",
	tokGt:       "> operator",
	tokGeq:      ">= operator",
}

func (k tokenKind) String() string {
	if int(k) < len(tokenNames) {
		return tokenNames[k]
	}
	return "unknown token"
}

// Layouts of the TIME and DATE literals (and of the attribute values they are compared with).
const (
	timeLayout = time.RFC3339
	dateLayout = "2006-01-02"
)

// Literal years outside [minYear, maxYear] are rejected, as CometBFT does.
const (
	minYear = 1900
	maxYear = 2999
)

// errEOF is the lexer's end of input, and errUnterminated a string literal cut short by it.
// Both read "EOF", the text CometBFT reports for either; the parser tells them apart.
var (
	errEOF          = errors.New("EOF")
	errUnterminated = errors.New("EOF")
)

// token is one lexeme. text is the tag name, the string's contents (without quotes), the
// number as written, the time or date without its keyword, or the operator as written.
type token struct {
	kind tokenKind
	text string
	pos  int // byte offset of the token's first rune
}

// lexer splits a query into tokens. It reads runes the way a bufio.Reader does (an invalid
// UTF-8 byte is one U+FFFD rune) so that offsets and string contents match CometBFT.
type lexer struct {
	src string
	end int // byte offset just past the last rune read
}

// next returns the next token. At the end of input it returns errEOF; on a lexical error the
// returned token carries the offset where the failing token started.
func (l *lexer) next() (token, error) {
	for {
		start := l.end
		r, ok := l.read()
		if !ok {
			return token{pos: start}, errEOF
		}
		switch {
		case unicode.IsSpace(r):
			continue
		case '0' <= r && r <= '9':
			return l.number(start, r), nil
		case isFirstTagRune(r):
			return l.word(start, r)
		case r == '\'':
			return l.quoted(start)
		case r == '<' || r == '>' || r == '=':
			return l.comparison(start, r), nil
		default:
			return token{pos: start}, fmt.Errorf("invalid input %c at offset %d", r, l.end)
		}
	}
}

// read consumes one rune; ok is false at the end of input.
func (l *lexer) read() (r rune, ok bool) {
	if l.end >= len(l.src) {
		return 0, false
	}
	r, size := utf8.DecodeRuneInString(l.src[l.end:])
	l.end += size
	return r, true
}

// peek returns the next rune without consuming it, and its size (0 at the end of input).
func (l *lexer) peek() (rune, int) {
	if l.end >= len(l.src) {
		return 0, 0
	}
	return utf8.DecodeRuneInString(l.src[l.end:])
}

// readWhile consumes runes while ok holds and appends them to b.
func (l *lexer) readWhile(b *strings.Builder, ok func(rune) bool) {
	for {
		r, size := l.peek()
		if size == 0 || !ok(r) {
			return
		}
		l.end += size
		b.WriteRune(r)
	}
}

// number scans [0-9]+ ( '.' [0-9]* )?; first is the leading digit, already consumed.
func (l *lexer) number(start int, first rune) token {
	var b strings.Builder
	b.WriteRune(first)
	l.readWhile(&b, isDigit)
	if r, size := l.peek(); size > 0 && r == '.' {
		l.end += size
		b.WriteRune(r)
		l.readWhile(&b, isDigit)
	}
	return token{kind: tokNumber, text: b.String(), pos: start}
}

// word scans a tag or a keyword; "TIME " and "DATE " continue as time and date literals.
func (l *lexer) word(start int, first rune) (token, error) {
	var b strings.Builder
	b.WriteRune(first)
	l.readWhile(&b, isTagRune)
	text := b.String()
	switch text {
	case "AND":
		return token{kind: tokAnd, text: text, pos: start}, nil
	case "EXISTS":
		return token{kind: tokExists, text: text, pos: start}, nil
	case "CONTAINS":
		return token{kind: tokContains, text: text, pos: start}, nil
	case "TIME", "DATE":
		if r, size := l.peek(); size > 0 && r == ' ' {
			l.end += size
			return l.stamp(start, text == "TIME")
		}
	}
	return token{kind: tokTag, text: text, pos: start}, nil
}

// stamp scans the value of a TIME (isTime) or DATE literal, after the keyword and its space.
func (l *lexer) stamp(start int, isTime bool) (token, error) {
	var b strings.Builder
	kind, layout, label, runes := tokDate, dateLayout, "DATE", isDateRune
	if isTime {
		kind, layout, label, runes = tokTime, timeLayout, "TIME", isTimeRune
	}
	l.readWhile(&b, runes)
	text := b.String()
	ts, err := time.Parse(layout, text)
	if err != nil {
		return token{pos: start}, fmt.Errorf("invalid %s value: %w", label, err)
	}
	if y := ts.Year(); y < minYear || y > maxYear {
		return token{pos: start}, fmt.Errorf("%s year %d out of range", kind, y)
	}
	return token{kind: kind, text: text, pos: start}, nil
}

// quoted scans a string literal; the opening quote is already consumed.
func (l *lexer) quoted(start int) (token, error) {
	var b strings.Builder
	for {
		r, ok := l.read()
		if !ok {
			return token{pos: start}, errUnterminated
		}
		if r == '\'' {
			return token{kind: tokString, text: b.String(), pos: start}, nil
		}
		b.WriteRune(r)
	}
}

// comparison scans =, <, <=, > or >=; first is already consumed.
func (l *lexer) comparison(start int, first rune) token {
	kind := tokEq
	switch first {
	case '<':
		kind = tokLt
	case '>':
		kind = tokGt
	}
	if kind != tokEq {
		if r, size := l.peek(); size > 0 && r == '=' {
			l.end += size
			if kind == tokLt {
				return token{kind: tokLeq, text: "<=", pos: start}
			}
			return token{kind: tokGeq, text: ">=", pos: start}
		}
	}
	return token{kind: kind, text: string(first), pos: start}
}

func isDigit(r rune) bool { return '0' <= r && r <= '9' }

func isFirstTagRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

func isTagRune(r rune) bool {
	return r == '.' || r == '-' || isFirstTagRune(r)
}

func isTimeRune(r rune) bool { return isDigit(r) || strings.ContainsRune("-T:+Z", r) }

func isDateRune(r rune) bool { return isDigit(r) || r == '-' }
