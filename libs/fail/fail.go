package fail

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
)

// EnvVar is the environment variable that arms a crash point.
const EnvVar = "BALLOT_FAIL_POINT"

// ExitCode is the exit status of a process stopped by its armed crash point.
const ExitCode = 99

// ExitCodeBadSpec is the exit status of a process whose EnvVar names no known point or has a bad
// count. It differs from ExitCode so that a harness never mistakes it for a crash.
const ExitCodeBadSpec = 98

// ErrBadSpec is returned by ParseSpec for text that is not "<point>" or "<point>:<n>" with a
// known point and n >= 1.
var ErrBadSpec = errors.New("fail: bad crash point spec")

// armed is true only when EnvVar named a point at initialisation. It is written before any
// other goroutine of the process runs and only read afterwards.
var armed bool

// target is the armed point; hits counts how often it was reached.
var target struct {
	name  string
	after int64
	hits  atomic.Int64
}

func init() {
	spec, ok := os.LookupEnv(EnvVar)
	if !ok || spec == "" {
		return
	}
	name, after, err := ParseSpec(spec)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s=%q: %v\n", EnvVar, spec, err)
		os.Exit(ExitCodeBadSpec)
	}
	arm(name, after)
}

// arm makes name the armed point, crashing on its after-th hit. Tests call it from a single
// goroutine, like init.
func arm(name string, after int64) {
	target.name, target.after = name, after
	target.hits.Store(0)
	armed = true
}

// disarm undoes arm (tests only).
func disarm() {
	armed = false
	target.name, target.after = "", 0
	target.hits.Store(0)
}

// Point marks the crash point name. It returns at once unless name is the armed point and this
// is its n-th hit; then the process exits with ExitCode without returning. Safe for concurrent
// use; name should be one of Points() (the crash tests check that every call site is).
func Point(name string) {
	if !armed {
		return
	}
	reached(name)
}

// reached counts a hit of the armed point and exits on the chosen one. Kept out of Point so
// that Point stays small enough to inline.
func reached(name string) {
	if name != target.name {
		return
	}
	n := target.hits.Add(1)
	if n != target.after {
		return
	}
	// os.Stderr is unbuffered: this is one write(2), no flushing of anyone's buffers.
	fmt.Fprintf(os.Stderr, "fail: crash point %s hit %d times: exiting with code %d\n", name, n, ExitCode)
	os.Exit(ExitCode)
}

// Spec returns the EnvVar value that arms point name for its n-th hit.
func Spec(name string, n int) string {
	return name + ":" + strconv.Itoa(n)
}

// ParseSpec parses an EnvVar value: "<point>" (n = 1) or "<point>:<n>". The point must be one
// of Points() and n at least 1; anything else is an error wrapping ErrBadSpec.
func ParseSpec(spec string) (name string, n int64, err error) {
	name, count, hasCount := strings.Cut(spec, ":")
	n = 1
	if hasCount {
		n, err = strconv.ParseInt(count, 10, 64)
		if err != nil || n < 1 {
			return "", 0, fmt.Errorf("%w: %q: the count after ':' must be an integer >= 1", ErrBadSpec, spec)
		}
	}
	if !Known(name) {
		return "", 0, fmt.Errorf("%w: %q names no crash point (known: %s)", ErrBadSpec, name, strings.Join(Points(), ", "))
	}
	return name, n, nil
}

// Known reports whether name is a declared crash point.
func Known(name string) bool {
	return slices.ContainsFunc(points, func(p point) bool { return p.name == name })
}

// Points returns the names of every declared crash point, in the order of the list in
// points.go (roughly the order in which a height reaches them). The slice is the caller's.
func Points() []string {
	names := make([]string, len(points))
	for i, p := range points {
		names[i] = p.name
	}
	return names
}

// Describe returns the description of point name ("" for an unknown name).
func Describe(name string) string {
	for _, p := range points {
		if p.name == name {
			return p.doc
		}
	}
	return ""
}
