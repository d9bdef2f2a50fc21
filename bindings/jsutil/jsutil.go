// Package jsutil holds the few goja helpers every binding needs: waiting on a
// value that may be a promise, and turning JS byte-ish values into Go bytes.
package jsutil

import (
	"github.com/dop251/goja"
)

// Await calls done with v's settled value: at once if v is not a promise or
// is already settled, otherwise when it settles. done runs on the runtime's
// goroutine; err is a *goja.Exception-like error wrapping the rejection value.
func Await(vm *goja.Runtime, v goja.Value, done func(result goja.Value, err error)) {
	p, ok := asPromise(v)
	if !ok {
		done(v, nil)
		return
	}
	switch p.State() {
	case goja.PromiseStateFulfilled:
		done(p.Result(), nil)
		return
	}
	then, _ := goja.AssertFunction(v.ToObject(vm).Get("then"))
	if p.State() == goja.PromiseStateRejected {
		// Attaching a handler tells the rejection tracker it was handled.
		noop := vm.ToValue(func(goja.FunctionCall) goja.Value { return goja.Undefined() })
		_, _ = then(v, noop, noop)
		done(nil, &Rejection{Value: p.Result()})
		return
	}
	onOK := vm.ToValue(func(c goja.FunctionCall) goja.Value { done(c.Argument(0), nil); return goja.Undefined() })
	onErr := vm.ToValue(func(c goja.FunctionCall) goja.Value {
		done(nil, &Rejection{Value: c.Argument(0)})
		return goja.Undefined()
	})
	if _, err := then(v, onOK, onErr); err != nil {
		done(nil, err)
	}
}

func asPromise(v goja.Value) (*goja.Promise, bool) {
	if v == nil {
		return nil, false
	}
	o, ok := v.(*goja.Object)
	if !ok {
		return nil, false
	}
	p, ok := o.Export().(*goja.Promise)
	return p, ok
}

// IsPromise reports whether v is a native promise.
func IsPromise(v goja.Value) bool { _, ok := asPromise(v); return ok }

// Rejection is a promise rejection carried as a Go error.
type Rejection struct{ Value goja.Value }

func (r *Rejection) Error() string { return Describe(r.Value) }

// Describe renders a thrown value for a log line: "Error: msg\n  at …" for
// errors with a stack, else its string form.
func Describe(v goja.Value) string {
	if v == nil || goja.IsUndefined(v) {
		return "undefined"
	}
	if o, ok := v.(*goja.Object); ok {
		if s := o.Get("stack"); s != nil && !goja.IsUndefined(s) && s.String() != "" {
			return s.String()
		}
	}
	return v.String()
}

// Message is the user-facing part of a thrown value: an Error's message, or
// the value's string form. Used for close reasons and HTTP error bodies.
func Message(err error) string {
	switch e := err.(type) {
	case *Rejection:
		return messageOf(e.Value)
	case *goja.Exception:
		return messageOf(e.Value())
	}
	return err.Error()
}

// ThrownValue returns the JS value behind err, if any.
func ThrownValue(err error) goja.Value {
	switch e := err.(type) {
	case *Rejection:
		return e.Value
	case *goja.Exception:
		return e.Value()
	}
	return nil
}

func messageOf(v goja.Value) string {
	if o, ok := v.(*goja.Object); ok {
		if m := o.Get("message"); m != nil && !goja.IsUndefined(m) {
			return m.String()
		}
	}
	if v == nil {
		return ""
	}
	return v.String()
}

// Stack renders err with its JS stack for logs.
func Stack(err error) string {
	switch e := err.(type) {
	case *Rejection:
		return Describe(e.Value)
	case *goja.Exception:
		return e.String()
	case *goja.InterruptedError:
		return e.String()
	}
	return err.Error()
}

// Bytes copies the bytes of an ArrayBuffer, a typed array or a DataView.
// ok is false for anything else.
func Bytes(vm *goja.Runtime, v goja.Value) (b []byte, ok bool) {
	o, isObj := v.(*goja.Object)
	if !isObj {
		return nil, false
	}
	switch x := o.Export().(type) {
	case goja.ArrayBuffer:
		return append([]byte(nil), x.Bytes()...), true
	case []byte: // Uint8Array exports alias its memory
		return append([]byte(nil), x...), true
	}
	// Other views: read buffer, byteOffset, byteLength.
	buf, isBuf := o.Get("buffer").(*goja.Object)
	if !isBuf {
		return nil, false
	}
	ab, isAB := buf.Export().(goja.ArrayBuffer)
	if !isAB {
		return nil, false
	}
	off := o.Get("byteOffset").ToInteger()
	n := o.Get("byteLength").ToInteger()
	all := ab.Bytes()
	if off < 0 || n < 0 || off+n > int64(len(all)) {
		return nil, false
	}
	return append([]byte(nil), all[off:off+n]...), true
}
