package config

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// parseText converts the text form of a value (environment, flags) into a
// value of f's Go type.
func parseText(f *schemaField, s string) (reflect.Value, error) {
	switch f.Kind {
	case KindString:
		return reflect.ValueOf(s).Convert(f.typ), nil
	case KindBool:
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			return reflect.Value{}, fmt.Errorf("invalid boolean %q", s)
		}
		return reflect.ValueOf(b).Convert(f.typ), nil
	case KindInt:
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return reflect.Value{}, fmt.Errorf("invalid integer %q", s)
		}
		return intValue(f.typ, n)
	case KindDuration:
		d, err := time.ParseDuration(strings.TrimSpace(s))
		if err != nil {
			return reflect.Value{}, fmt.Errorf("invalid duration %q (want e.g. \"10s\", \"1m0s\")", s)
		}
		return reflect.ValueOf(d), nil
	case KindList, KindCommaList:
		return reflect.ValueOf(splitList(s)).Convert(f.typ), nil
	}
	panic(fmt.Sprintf("config: %s has unhandled kind %v", f.Key, f.Kind))
}

// fromTOML converts a value decoded by go-toml into a map (string, int64,
// float64, bool, []any, map[string]any, date/time types) into f's Go type.
// Besides the native TOML type, a quoted string is accepted where a number
// or a boolean is expected (as CometBFT's chunk_fetchers = "4"), and a
// comma-separated string where a list is expected; both are how viper reads
// such values.
func fromTOML(f *schemaField, v any) (reflect.Value, error) {
	if s, ok := v.(string); ok {
		if f.Kind == KindList {
			return reflect.ValueOf(splitList(s)).Convert(f.typ), nil
		}
		return parseText(f, s)
	}
	switch f.Kind {
	case KindBool:
		if b, ok := v.(bool); ok {
			return reflect.ValueOf(b).Convert(f.typ), nil
		}
	case KindInt:
		if n, ok := v.(int64); ok {
			return intValue(f.typ, n)
		}
	case KindList, KindCommaList:
		if items, ok := v.([]any); ok {
			list := make([]string, 0, len(items))
			for _, item := range items {
				s, ok := item.(string)
				if !ok {
					return reflect.Value{}, fmt.Errorf("want %s, got an array holding %s", wantText(f), tomlDesc(item))
				}
				list = append(list, s)
			}
			return reflect.ValueOf(list).Convert(f.typ), nil
		}
	}
	return reflect.Value{}, fmt.Errorf("want %s, got %s", wantText(f), tomlDesc(v))
}

// intValue converts n into the integer type typ, rejecting overflow.
func intValue(typ reflect.Type, n int64) (reflect.Value, error) {
	v := reflect.New(typ).Elem()
	switch typ.Kind() {
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if n < 0 || v.OverflowUint(uint64(n)) {
			return reflect.Value{}, fmt.Errorf("integer %d out of range for %s", n, typ)
		}
		v.SetUint(uint64(n))
	default:
		if v.OverflowInt(n) {
			return reflect.Value{}, fmt.Errorf("integer %d out of range for %s", n, typ)
		}
		v.SetInt(n)
	}
	return v, nil
}

// wantText describes what a key of f's kind accepts, for error messages.
func wantText(f *schemaField) string {
	switch f.Kind {
	case KindString:
		return "a string"
	case KindBool:
		return "a boolean"
	case KindInt:
		return "an integer"
	case KindDuration:
		return `a duration string such as "10s"`
	case KindList:
		return "an array of strings"
	case KindCommaList:
		return "a comma-separated string"
	}
	return f.Kind.String()
}

// tomlDesc describes a decoded TOML value for error messages.
func tomlDesc(v any) string {
	switch v := v.(type) {
	case string:
		if len(v) > 40 {
			v = v[:40] + "..."
		}
		return fmt.Sprintf("string %q", v)
	case int64:
		return fmt.Sprintf("integer %d", v)
	case float64:
		return fmt.Sprintf("float %v", v)
	case bool:
		return fmt.Sprintf("boolean %v", v)
	case []any:
		return "an array"
	case map[string]any:
		return "a table"
	default:
		return "a date/time"
	}
}

// formatText renders v in the text form parseText reads.
func formatText(f *schemaField, v reflect.Value) string {
	switch f.Kind {
	case KindString:
		return v.String()
	case KindBool:
		return strconv.FormatBool(v.Bool())
	case KindInt:
		if v.CanInt() {
			return strconv.FormatInt(v.Int(), 10)
		}
		return strconv.FormatUint(v.Uint(), 10)
	case KindDuration:
		return time.Duration(v.Int()).String()
	case KindList, KindCommaList:
		return joinList(v.Convert(reflect.TypeFor[[]string]()).Interface().([]string))
	}
	panic(fmt.Sprintf("config: %s has unhandled kind %v", f.Key, f.Kind))
}

// formatTOML renders v as a TOML value in the layout of CometBFT's
// template: lists as ["a", "b", ] with a trailing comma, durations and
// comma lists quoted, quoted integers as "4".
func formatTOML(f *schemaField, v reflect.Value) string {
	switch f.Kind {
	case KindBool:
		return formatText(f, v)
	case KindInt:
		if f.quoted {
			return quoteTOML(formatText(f, v))
		}
		return formatText(f, v)
	case KindList:
		var b strings.Builder
		b.WriteByte('[')
		for i := range v.Len() {
			b.WriteString(quoteTOML(v.Index(i).String()))
			b.WriteString(", ")
		}
		b.WriteByte(']')
		return b.String()
	default:
		return quoteTOML(formatText(f, v))
	}
}

// quoteTOML renders s as a TOML basic string. Invalid UTF-8 bytes become
// U+FFFD, since TOML documents are UTF-8.
func quoteTOML(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\f':
			b.WriteString(`\f`)
		case '\r':
			b.WriteString(`\r`)
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(&b, `\u%04X`, r)
			} else {
				b.WriteRune(r) // utf8.RuneError for invalid bytes
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// splitList splits a comma-separated list, trimming spaces around items.
// The empty (or all-space) string is the empty, non-nil list.
func splitList(s string) []string {
	if strings.TrimSpace(s) == "" {
		return []string{}
	}
	items := strings.Split(s, ",")
	for i := range items {
		items[i] = strings.TrimSpace(items[i])
	}
	return items
}

// joinList is the inverse of splitList for items without commas.
func joinList(items []string) string { return strings.Join(items, ",") }
