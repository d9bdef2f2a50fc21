package assets

import (
	"fmt"
	"unicode/utf8"

	"github.com/evanw/esbuild/pkg/api"

	"gopk/runtime/bundle"
)

// messages turns esbuild's diagnostics into the ones the server bundle
// reports, so a client error reads like a server one in `gopk dev`:
// 1-based character columns, the source line, esbuild's notes.
func messages(msgs []api.Message) []bundle.Message {
	out := make([]bundle.Message, 0, len(msgs))
	for _, am := range msgs {
		m := bundle.Message{Text: am.Text}
		if loc := am.Location; loc != nil {
			m.File, m.Line, m.LineText = loc.File, loc.Line, loc.LineText
			m.Column = runeCount(loc.LineText, loc.Column) + 1
			m.Length = max(runeCount(loc.LineText, loc.Column+loc.Length)-m.Column+1, 1)
		}
		for _, n := range am.Notes {
			text := n.Text
			if n.Location != nil {
				text = fmt.Sprintf("%s:%d:%d: %s", n.Location.File, n.Location.Line, runeCount(n.Location.LineText, n.Location.Column)+1, text)
			}
			m.Notes = append(m.Notes, text)
		}
		out = append(out, m)
	}
	return out
}

// runeCount is the number of characters in the first byteCol bytes of line.
func runeCount(line string, byteCol int) int {
	if byteCol > len(line) || byteCol < 0 {
		return byteCol
	}
	return utf8.RuneCountInString(line[:byteCol])
}

// formatAll renders messages one per string as "file:line:col: kind: text".
func formatAll(msgs []bundle.Message, kind string) []string {
	out := make([]string, 0, len(msgs))
	for _, m := range msgs {
		s := kind + ": " + m.Text
		switch {
		case m.File != "" && m.Line > 0:
			s = fmt.Sprintf("%s:%d:%d: %s", m.File, m.Line, m.Column, s)
		case m.File != "":
			s = m.File + ": " + s
		}
		out = append(out, s)
	}
	return out
}
