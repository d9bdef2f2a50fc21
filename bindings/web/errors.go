package web

import (
	"github.com/dop251/goja"
)

// JSError is a JS value that was thrown or rejected where Go received it
// (a handler's rejected promise, a throwing event listener). Message is
// "Name: message" for Error objects, else the value as a string; Stack is
// the JS stack when the value has one.
type JSError struct {
	Value   goja.Value
	Message string
	Stack   string
}

// UncaughtError is what a throwing event listener reports.
type UncaughtError = JSError

func (e *JSError) Error() string {
	e.fill()
	if e.Stack != "" {
		return e.Stack
	}
	return e.Message
}

// fill computes Message and Stack from Value once. It reads JS properties,
// so it must run on the loop goroutine; the constructors below call it.
func (e *JSError) fill() {
	if e.Message != "" || e.Value == nil {
		return
	}
	o, ok := e.Value.(*goja.Object)
	if !ok {
		e.Message = e.Value.String()
		return
	}
	func() {
		defer func() { _ = recover() }()
		e.Message = o.String()
		if s, ok := o.Get("stack").Export().(string); ok {
			e.Stack = s
		}
	}()
}

// newJSError captures v's message and stack on the loop goroutine.
func newJSError(v goja.Value) *JSError {
	e := &JSError{Value: v}
	e.fill()
	return e
}
