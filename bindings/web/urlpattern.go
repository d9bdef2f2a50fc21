package web

import (
	"strings"
	"unicode"

	"github.com/dop251/goja"
)

// urlPatternModule is urlpattern-polyfill (MIT, vendored). Its identifier
// regexps use \p{ID_Start}/\p{ID_Continue}, which goja cannot match, so
// they are swapped for Go-backed matchers when the file is compiled.
var urlPatternModule = &jsModule{
	file: "vendor/urlpattern-polyfill/urlpattern.cjs",
	cjs:  true,
	patch: func(src string) string {
		for _, r := range []struct{ from, to string }{
			{`/[$_\p{ID_Start}]/u`, `native.idStart`},
			{`/[$_\u200C\u200D\p{ID_Continue}]/u`, `native.idPart`},
		} {
			if !strings.Contains(src, r.from) {
				panic("web: urlpattern-polyfill no longer contains " + r.from + "; update urlpattern.go")
			}
			src = strings.ReplaceAll(src, r.from, r.to)
		}
		return src
	},
}

func isIDStart(r rune) bool {
	return unicode.IsLetter(r) || unicode.Is(unicode.Nl, r) || unicode.Is(unicode.Other_ID_Start, r)
}

func isIDContinue(r rune) bool {
	return isIDStart(r) || unicode.In(r, unicode.Mn, unicode.Mc, unicode.Nd, unicode.Pc, unicode.Other_ID_Continue)
}

func (g *Globals) buildURLPattern() []goja.Value {
	exp := g.module(urlPatternModule, func() *goja.Object {
		n := g.vm.NewObject()
		matcher := func(ok func(rune) bool) *goja.Object {
			m := g.vm.NewObject()
			_ = m.Set("test", func(c goja.FunctionCall) goja.Value {
				s := c.Argument(0).String()
				for _, r := range s {
					return g.vm.ToValue(ok(r))
				}
				return g.vm.ToValue(false)
			})
			return m
		}
		_ = n.Set("idStart", matcher(func(r rune) bool { return r == '$' || r == '_' || isIDStart(r) }))
		_ = n.Set("idPart", matcher(func(r rune) bool { return r == '$' || r == '_' || r == 0x200C || r == 0x200D || isIDContinue(r) }))
		return n
	})
	return exports(exp, "URLPattern")
}
