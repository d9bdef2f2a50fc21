package web

import (
	"crypto/rand"
	"reflect"

	"github.com/dop251/goja"
)

var cryptoModule = &jsModule{file: "crypto.js"}

// maxRandomBytes is the Web Crypto quota for one getRandomValues call.
const maxRandomBytes = 65536

func (g *Globals) buildCrypto() []goja.Value {
	exp := g.module(cryptoModule, func() *goja.Object {
		n := g.vm.NewObject()
		_ = n.Set("getRandomValues", g.getRandomValues)
		_ = n.Set("randomUUID", func(goja.FunctionCall) goja.Value {
			return g.vm.ToValue(randomUUID())
		})
		_ = n.Set("subtle", func(goja.FunctionCall) goja.Value {
			return g.buildSubtle()
		})
		return n
	})
	return exports(exp, "crypto", "Crypto")
}

// getRandomValues fills an integer typed array in place: the exported slice
// aliases the array's memory, so no copy is made.
func (g *Globals) getRandomValues(c goja.FunctionCall) goja.Value {
	arg := c.Argument(0)
	o, ok := arg.(*goja.Object)
	if !ok {
		g.throwTypeError("crypto.getRandomValues: the argument must be an integer typed array")
	}
	switch typedArrayKind(o) {
	case reflect.Int8, reflect.Uint8, reflect.Int16, reflect.Uint16, reflect.Int32,
		reflect.Uint32, reflect.Int64, reflect.Uint64:
	default:
		panic(g.newDOMException("The data argument must be an integer-type TypedArray.", "TypeMismatchError"))
	}
	var b []byte
	if err := g.vm.ExportTo(o, &b); err != nil {
		g.throwTypeError("crypto.getRandomValues: %v", err)
	}
	if len(b) > maxRandomBytes {
		panic(g.newDOMException("The ArrayBufferView's byte length exceeds the number of bytes of entropy available via this API (65536).", "QuotaExceededError"))
	}
	_, _ = rand.Read(b)
	return arg
}

// randomUUID returns an RFC 9562 version 4 UUID.
func randomUUID() string {
	var u [16]byte
	_, _ = rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	const hex = "0123456789abcdef"
	out := make([]byte, 36)
	j := 0
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out[j] = '-'
			j++
		}
		out[j], out[j+1] = hex[c>>4], hex[c&0xf]
		j += 2
	}
	return string(out)
}
