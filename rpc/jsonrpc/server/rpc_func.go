package server

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/ballot-bft/ballot/rpc/jsonrpc/types"
)

var (
	contextType = reflect.TypeFor[*types.Context]()
	errorType   = reflect.TypeFor[error]()
)

// RPCFunc is one route: a Go function
//
//	func(ctx *types.Context, arg1 T1, arg2 T2, …) (R, error)
//
// with a name for each argument after ctx. Arguments are decoded from URI query
// parameters or JSON-RPC params by those names (see the package documentation); a
// missing argument is T's zero value. The function's error becomes -32603 with the
// error's text as data; its result is encoded with libs/json.
//
// An RPCFunc is immutable and safe for concurrent use; the function it wraps must be too.
type RPCFunc struct {
	fn       reflect.Value
	args     []reflect.Type // argument types after the context
	argNames []string

	wsOnly    bool
	cacheable bool
	// noCacheDefArgs: arguments that must be given and non-zero for a response to be
	// cacheable.
	noCacheDefArgs map[string]bool
}

// Option configures an RPCFunc.
type Option func(*RPCFunc)

// Cacheable marks the route's successful responses as cacheable (Cache-Control: public,
// max-age=86400), except when one of noCacheDefArgs is missing or zero — e.g. "height" for
// routes where no height means "latest".
func Cacheable(noCacheDefArgs ...string) Option {
	return func(f *RPCFunc) {
		f.cacheable = true
		for _, name := range noCacheDefArgs {
			f.noCacheDefArgs[name] = true
		}
	}
}

// WSOnly restricts the route to the websocket: over HTTP it is "Method not found" (a URI
// call answers 404).
func WSOnly() Option {
	return func(f *RPCFunc) { f.wsOnly = true }
}

// NewRPCFunc wraps fn with the comma-separated argument names argNames ("" for none).
//
// It panics when fn does not have the shape func(*types.Context, …) (R, error), is
// variadic, when the number of names differs from the number of arguments after the
// context, when a name is empty or repeated, or when Cacheable names an unknown argument:
// route tables are built at start-up and such mistakes are programming errors.
func NewRPCFunc(fn any, argNames string, opts ...Option) *RPCFunc {
	rv := reflect.ValueOf(fn)
	rt := rv.Type()
	if rt.Kind() != reflect.Func {
		panic(fmt.Sprintf("rpc: NewRPCFunc of a %v, want a function", rt))
	}
	if rt.IsVariadic() || rt.NumIn() < 1 || rt.In(0) != contextType ||
		rt.NumOut() != 2 || rt.Out(1) != errorType {
		panic(fmt.Sprintf("rpc: route function %v must have the shape func(*types.Context, …) (R, error)", rt))
	}
	f := &RPCFunc{fn: rv, noCacheDefArgs: map[string]bool{}}
	for i := 1; i < rt.NumIn(); i++ {
		f.args = append(f.args, rt.In(i))
	}
	if argNames != "" {
		for _, name := range strings.Split(argNames, ",") {
			f.argNames = append(f.argNames, strings.TrimSpace(name))
		}
	}
	if len(f.argNames) != len(f.args) {
		panic(fmt.Sprintf("rpc: route function %v takes %d arguments but %d names were given (%q)",
			rt, len(f.args), len(f.argNames), argNames))
	}
	seen := map[string]bool{}
	for _, name := range f.argNames {
		if name == "" || seen[name] {
			panic(fmt.Sprintf("rpc: argument names %q: empty or repeated name %q", argNames, name))
		}
		seen[name] = true
	}
	for _, opt := range opts {
		opt(f)
	}
	for name := range f.noCacheDefArgs {
		if !seen[name] {
			panic(fmt.Sprintf("rpc: Cacheable names unknown argument %q (arguments %q)", name, argNames))
		}
	}
	return f
}

// NewWSRPCFunc is NewRPCFunc with WSOnly.
func NewWSRPCFunc(fn any, argNames string, opts ...Option) *RPCFunc {
	return NewRPCFunc(fn, argNames, append(opts, WSOnly())...)
}

// ArgNames returns the argument names in order. The slice must not be modified.
func (f *RPCFunc) ArgNames() []string { return f.argNames }

// IsWSOnly reports whether the route is served over the websocket only.
func (f *RPCFunc) IsWSOnly() bool { return f.wsOnly }

// call runs the function with decoded arguments.
func (f *RPCFunc) call(ctx *types.Context, args []reflect.Value) (any, error) {
	in := make([]reflect.Value, 0, len(args)+1)
	in = append(in, reflect.ValueOf(ctx))
	in = append(in, args...)
	out := f.fn.Call(in)
	if err, _ := out[1].Interface().(error); err != nil {
		return nil, err
	}
	return out[0].Interface(), nil
}

// cacheableWith reports whether a successful response to a call with args may carry
// Cache-Control.
func (f *RPCFunc) cacheableWith(args []reflect.Value) bool {
	if !f.cacheable {
		return false
	}
	for i, name := range f.argNames {
		if f.noCacheDefArgs[name] && isDefault(args[i]) {
			return false
		}
	}
	return true
}

// isDefault reports whether an argument is zero, nil, or a pointer to a zero value.
func isDefault(v reflect.Value) bool {
	if v.IsZero() {
		return true
	}
	return v.Kind() == reflect.Pointer && v.Elem().IsZero()
}

// zeroArgs returns the zero value of every argument.
func (f *RPCFunc) zeroArgs() []reflect.Value {
	values := make([]reflect.Value, len(f.args))
	for i, t := range f.args {
		values[i] = reflect.Zero(t)
	}
	return values
}
