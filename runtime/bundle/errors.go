package bundle

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/evanw/esbuild/pkg/api"
)

// Message is one problem found while bundling, located in the user's source.
type Message struct {
	Party    string // the party whose bundle hit it
	File     string // relative to Options.Dir (as esbuild prints it); "" when it is not about one file
	Line     int    // 1-based
	Column   int    // 1-based, in characters
	Length   int    // characters to underline
	Text     string
	LineText string // the source line, for context
	Notes    []string
}

// BuildError is a failed build: every error of every party, each once.
type BuildError struct {
	Messages []Message
	// Inputs are the files read before the build failed, so that a watcher
	// can rebuild when one of them is fixed.
	Inputs []string
}

func (e *BuildError) Error() string {
	parts := make([]string, len(e.Messages))
	for i, m := range e.Messages {
		parts[i] = m.format("error")
	}
	return strings.Join(parts, "\n")
}

// format renders "file:line:col: error: text", the source line and a caret
// under the problem, then esbuild's notes.
func (m Message) format(kind string) string {
	var b strings.Builder
	switch {
	case m.File != "" && m.Line > 0:
		fmt.Fprintf(&b, "%s:%d:%d: ", m.File, m.Line, m.Column)
	case m.File != "":
		fmt.Fprintf(&b, "%s: ", m.File)
	case m.Party != "":
		fmt.Fprintf(&b, "party %q: ", m.Party)
	}
	b.WriteString(kind + ": " + m.Text)
	if m.LineText != "" {
		b.WriteString("\n    " + m.LineText)
		if m.Column > 0 {
			b.WriteString("\n    " + caretPad(m.LineText, m.Column-1) + strings.Repeat("^", max(m.Length, 1)))
		}
	}
	for _, n := range m.Notes {
		b.WriteString("\n    note: " + n)
	}
	return b.String()
}

// caretPad is the white space that puts a caret under character col of
// line, keeping tabs so it lines up in a terminal.
func caretPad(line string, col int) string {
	var b strings.Builder
	for i, r := range []rune(line) {
		if i >= col {
			break
		}
		if r == '\t' {
			b.WriteRune('\t')
		} else {
			b.WriteRune(' ')
		}
	}
	return b.String()
}

// convert turns esbuild messages into Messages with 1-based, character
// columns (esbuild's are 0-based byte offsets).
func convert(party string, msgs []api.Message) []Message {
	out := make([]Message, 0, len(msgs))
	for _, am := range msgs {
		m := Message{Party: party, Text: am.Text}
		switch {
		case am.Location != nil && am.Location.File == "(define name)":
			// esbuild parses each define key as a file of that name.
			m.Party, m.Text = "", fmt.Sprintf("define %q is not a valid name: %s", am.Location.LineText, am.Text)
			am.Location = nil
		case strings.HasPrefix(am.Text, "Invalid define"):
			m.Party = "" // about the options, not about one party
		}
		if loc := am.Location; loc != nil {
			m.File, m.Line, m.LineText = loc.File, loc.Line, loc.LineText
			m.Column = charColumn(loc.LineText, loc.Column) + 1
			m.Length = charLen(loc.LineText, loc.Column, loc.Length)
		}
		for _, n := range am.Notes {
			text := n.Text
			if hideNote(text) {
				continue
			}
			if n.Location != nil {
				text = fmt.Sprintf("%s:%d:%d: %s", n.Location.File, n.Location.Line, charColumn(n.Location.LineText, n.Location.Column)+1, text)
			}
			m.Notes = append(m.Notes, text)
		}
		out = append(out, m)
	}
	return out
}

// hideNote drops esbuild's advice to mark a path as external or to change
// the platform: a gopk user controls neither.
func hideNote(text string) bool {
	return strings.Contains(text, "mark the path") || strings.Contains(text, `"--platform=node"`) ||
		strings.Contains(text, "mark this path as external")
}

func charColumn(line string, byteCol int) int {
	if byteCol > len(line) {
		return byteCol
	}
	return utf8.RuneCountInString(line[:byteCol])
}

func charLen(line string, byteCol, byteLen int) int {
	if byteCol+byteLen > len(line) || byteLen <= 0 {
		return byteLen
	}
	return utf8.RuneCountInString(line[byteCol : byteCol+byteLen])
}

// messageSet keeps the first of identical messages: a file shared by two
// parties reports its error once.
type messageSet struct {
	seen map[string]bool
	list []Message
}

func (s *messageSet) add(msgs ...Message) {
	if s.seen == nil {
		s.seen = map[string]bool{}
	}
	for _, m := range msgs {
		// Messages without a file (a bad define, say) come once per party
		// with the same text; they too are shown once.
		key := m.File + "\x00" + fmt.Sprint(m.Line, m.Column) + "\x00" + m.Text
		if s.seen[key] {
			continue
		}
		s.seen[key] = true
		s.list = append(s.list, m)
	}
}
