package inspect

import (
	"strings"

	"github.com/dop251/goja"
)

// Format renders arguments as Node's util.format does: a leading string may
// hold %s %d %i %f %j %o %O %c directives; everything left over is appended,
// strings as they are and other values inspected.
func Format(vm *goja.Runtime, args []goja.Value) string {
	if len(args) == 0 {
		return ""
	}
	var b strings.Builder
	rest := args
	leadingString := goja.IsString(args[0])
	if leadingString {
		rest = formatDirectives(vm, &b, args[0].String(), args[1:])
	}
	for i, a := range rest {
		if i > 0 || leadingString {
			b.WriteByte(' ')
		}
		if goja.IsString(a) {
			b.WriteString(a.String())
		} else {
			b.WriteString(Inspect(vm, a, DefaultOptions))
		}
	}
	return b.String()
}

// formatDirectives writes f with its directives replaced and returns the
// arguments no directive used.
func formatDirectives(vm *goja.Runtime, b *strings.Builder, f string, args []goja.Value) []goja.Value {
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c != '%' || i+1 == len(f) {
			b.WriteByte(c)
			continue
		}
		d := f[i+1]
		if d == '%' {
			b.WriteByte('%')
			i++
			continue
		}
		if !strings.ContainsRune("sdifjoOc", rune(d)) {
			b.WriteByte(c)
			continue
		}
		if len(args) == 0 {
			b.WriteByte(c)
			continue
		}
		a := args[0]
		args = args[1:]
		i++
		switch d {
		case 's':
			b.WriteString(formatS(vm, a))
		case 'd':
			b.WriteString(formatNumber(vm, a, "Number"))
		case 'i':
			b.WriteString(formatNumber(vm, a, "parseInt"))
		case 'f':
			b.WriteString(formatNumber(vm, a, "parseFloat"))
		case 'j':
			b.WriteString(formatJSON(vm, a))
		case 'o':
			b.WriteString(Inspect(vm, a, Options{Depth: 4, BreakLength: DefaultOptions.BreakLength, ShowHidden: true}))
		case 'O':
			b.WriteString(Inspect(vm, a, DefaultOptions))
		case 'c':
			// CSS is for browsers; node drops it.
		}
	}
	return args
}

func formatS(vm *goja.Runtime, a goja.Value) string {
	switch {
	case goja.IsBigInt(a):
		return a.String() + "n"
	case goja.IsNumber(a):
		return Number(a)
	}
	o, ok := a.(*goja.Object)
	if !ok {
		return a.String()
	}
	// Objects with their own toString (not Object.prototype's) use it;
	// the rest are inspected shallowly, as node does.
	if o.ClassName() != "Error" {
		if ts, ok := o.Get("toString").(*goja.Object); ok {
			objProto := vm.Get("Object").ToObject(vm).Get("prototype").ToObject(vm)
			if !ts.SameAs(objProto.Get("toString")) {
				if fn, ok := goja.AssertFunction(ts); ok {
					if res, err := fn(o); err == nil {
						return res.String()
					}
				}
			}
		}
	}
	return Inspect(vm, a, Options{Depth: 0, BreakLength: DefaultOptions.BreakLength})
}

func formatNumber(vm *goja.Runtime, a goja.Value, conv string) string {
	if goja.IsBigInt(a) {
		return a.String() + "n"
	}
	if _, ok := a.(*goja.Symbol); ok {
		return "NaN"
	}
	fn, ok := goja.AssertFunction(vm.Get(conv))
	if !ok {
		return "NaN"
	}
	res, err := fn(goja.Undefined(), a)
	if err != nil {
		return "NaN"
	}
	return Number(res)
}

func formatJSON(vm *goja.Runtime, a goja.Value) string {
	stringify, ok := goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("stringify"))
	if !ok {
		return "undefined"
	}
	res, err := stringify(goja.Undefined(), a)
	if err != nil {
		if strings.Contains(err.Error(), "circular") || strings.Contains(err.Error(), "Circular") {
			return "[Circular]"
		}
		return "undefined"
	}
	return res.String()
}
