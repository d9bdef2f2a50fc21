package es

import "github.com/dop251/goja"

// loneSurrogateAt reports the index of the first UTF-16 code unit in s that
// is a surrogate without its pair, or -1.
func loneSurrogateAt(s goja.String, from int) int {
	n := s.Length()
	for i := from; i < n; i++ {
		c := s.CharAt(i)
		switch {
		case c >= 0xD800 && c <= 0xDBFF:
			if i+1 < n {
				if d := s.CharAt(i + 1); d >= 0xDC00 && d <= 0xDFFF {
					i++
					continue
				}
			}
			return i
		case c >= 0xDC00 && c <= 0xDFFF:
			return i
		}
	}
	return -1
}

// stringArg returns argument 0, which the JS caller has already coerced with String().
func stringArg(call goja.FunctionCall) goja.String {
	if s, ok := call.Argument(0).(goja.String); ok {
		return s
	}
	return call.Argument(0).ToString().(goja.String)
}

func isWellFormed(vm *goja.Runtime) func(goja.FunctionCall) goja.Value {
	return func(call goja.FunctionCall) goja.Value {
		return vm.ToValue(loneSurrogateAt(stringArg(call), 0) < 0)
	}
}

func toWellFormed(vm *goja.Runtime) func(goja.FunctionCall) goja.Value {
	return func(call goja.FunctionCall) goja.Value {
		s := stringArg(call)
		first := loneSurrogateAt(s, 0)
		if first < 0 {
			return s
		}
		units := make([]uint16, s.Length())
		for i := range units {
			units[i] = s.CharAt(i)
		}
		for i := first; i >= 0; i = loneSurrogateAt(s, i+1) {
			units[i] = 0xFFFD
		}
		return goja.StringFromUTF16(units)
	}
}
