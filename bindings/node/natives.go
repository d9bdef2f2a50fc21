package node

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding"
	"hash"
	"math"
	"math/big"
	"strings"

	"github.com/dop251/goja"

	"gopk/bindings/web/inspect"
)

func (r *requirer) bytes(v goja.Value) []byte {
	var b []byte
	if o, ok := v.(*goja.Object); ok {
		if ab, ok := o.Export().(goja.ArrayBuffer); ok {
			return ab.Bytes()
		}
		if err := r.vm.ExportTo(o, &b); err == nil {
			return b
		}
	}
	panic(r.vm.NewTypeError("expected a string, Buffer, TypedArray or DataView"))
}

func (r *requirer) utilNatives() *goja.Object {
	n := r.vm.NewObject()
	_ = n.Set("format", func(c goja.FunctionCall) goja.Value {
		return r.vm.ToValue(inspect.Format(r.vm, c.Arguments))
	})
	_ = n.Set("inspect", func(c goja.FunctionCall) goja.Value {
		depth := int(c.Argument(1).ToInteger())
		if f := c.Argument(1).ToFloat(); math.IsInf(f, 1) {
			depth = -1
		}
		return r.vm.ToValue(inspect.Inspect(r.vm, c.Argument(0), inspect.Options{Depth: depth}))
	})
	return n
}

var hashes = map[string]func() hash.Hash{
	"md5": md5.New, "sha1": sha1.New, "sha256": sha256.New, "sha224": sha256.New224,
	"sha384": sha512.New384, "sha512": sha512.New,
}

func (r *requirer) cryptoNatives() *goja.Object {
	n := r.vm.NewObject()
	_ = n.Set("hashNew", func(c goja.FunctionCall) goja.Value {
		alg := strings.ToLower(strings.ReplaceAll(c.Argument(0).String(), "-", ""))
		newHash, ok := hashes[alg]
		if !ok {
			panic(r.vm.NewGoError(errDigest(c.Argument(0).String())))
		}
		if key := c.Argument(1); !goja.IsNull(key) && !goja.IsUndefined(key) {
			return r.vm.ToValue(hmac.New(newHash, append([]byte(nil), r.bytes(key)...)))
		}
		return r.vm.ToValue(newHash())
	})
	h := func(v goja.Value) hash.Hash {
		hh, ok := v.Export().(hash.Hash)
		if !ok {
			panic(r.vm.NewTypeError("Illegal invocation"))
		}
		return hh
	}
	_ = n.Set("hashUpdate", func(c goja.FunctionCall) goja.Value {
		h(c.Argument(0)).Write(r.bytes(c.Argument(1)))
		return goja.Undefined()
	})
	_ = n.Set("hashDigest", func(c goja.FunctionCall) goja.Value {
		sum := h(c.Argument(0)).Sum(nil)
		return r.vm.ToValue(r.vm.NewArrayBuffer(sum))
	})
	_ = n.Set("hashCopy", func(c goja.FunctionCall) goja.Value {
		src := h(c.Argument(0))
		m, ok := src.(encoding.BinaryMarshaler)
		if !ok {
			panic(r.vm.NewTypeError("this hash cannot be copied"))
		}
		state, err := m.MarshalBinary()
		if err != nil {
			panic(r.vm.NewGoError(err))
		}
		for _, newHash := range hashes {
			dst := newHash()
			if u, ok := dst.(encoding.BinaryUnmarshaler); ok && u.UnmarshalBinary(state) == nil {
				return r.vm.ToValue(dst)
			}
		}
		panic(r.vm.NewTypeError("this hash cannot be copied"))
	})
	_ = n.Set("timingSafeEqual", func(c goja.FunctionCall) goja.Value {
		return r.vm.ToValue(subtle.ConstantTimeCompare(r.bytes(c.Argument(0)), r.bytes(c.Argument(1))) == 1)
	})
	_ = n.Set("randomInt", func(c goja.FunctionCall) goja.Value {
		lo, hi := c.Argument(0).ToInteger(), c.Argument(1).ToInteger()
		if hi <= lo {
			panic(r.vm.NewTypeError("randomInt: max must be greater than min"))
		}
		v, _ := rand.Int(rand.Reader, big.NewInt(hi-lo))
		return r.vm.ToValue(lo + v.Int64())
	})
	return n
}

type errDigest string

func (e errDigest) Error() string { return "Digest method not supported: " + string(e) }
