package clone

import (
	"errors"
	"fmt"

	"github.com/dop251/goja"
)

// ErrCorrupt is wrapped by every error Deserialize returns for bytes it
// cannot decode: truncated, malformed, or from a newer format version.
var ErrCorrupt = errors.New("clone: corrupt serialized value")

// corruptError carries a decode failure up the recursive decoder; only
// Deserialize recovers it.
type corruptError struct {
	pos int
	msg string
}

func (c corruptError) Error() string {
	return fmt.Sprintf("%v: at byte %d: %s", ErrCorrupt, c.pos, c.msg)
}

func (c corruptError) Unwrap() error { return ErrCorrupt }

// dataCloneError makes the exception V8 throws for an uncloneable value: a
// DOMException named DataCloneError when the runtime has DOMException, else
// an Error whose name is "DataCloneError".
func dataCloneError(vm *goja.Runtime, r *realm, msg string) *goja.Object {
	if ctor, ok := vm.Get("DOMException").(*goja.Object); ok {
		if ex, err := vm.New(ctor, vm.ToValue(msg), vm.ToValue("DataCloneError")); err == nil {
			return ex
		}
	}
	if r == nil {
		r, _ = realmOf(vm)
	}
	var ex *goja.Object
	if r != nil {
		ex, _ = vm.New(r.errorCtors[0], vm.ToValue(msg))
	}
	if ex == nil { // no usable Error constructor: still throw something named right
		ex = vm.NewTypeError(msg)
	}
	_ = ex.DefineDataProperty("name", vm.ToValue("DataCloneError"), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	return ex
}
