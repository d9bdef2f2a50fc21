package config

import (
	"fmt"
	"strings"
)

// Error is one problem with the configuration, located as precisely as the
// problem allows: a line and column for syntax errors, a key path for wrong
// keys and values.
type Error struct {
	File   string // the config file as the user would type it ("partykit.json"), or a flag such as "--var"
	Key    string // dotted key path ("parties.chat"); empty when the problem is not one key
	Line   int    // 1-based; 0 when unknown
	Column int    // 1-based, in characters
	Msg    string
	// Unknown marks a key the schema does not have; Msg is then a hint
	// (possibly empty) and the message reads `unknown key "path"`.
	Unknown bool
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d:%d", e.Line, e.Column)
		}
		b.WriteString(": ")
	}
	if e.Unknown {
		fmt.Fprintf(&b, "unknown key %q", e.Key)
		if e.Msg != "" {
			b.WriteString(" (" + e.Msg + ")")
		}
		return b.String()
	}
	if e.Key != "" {
		fmt.Fprintf(&b, "%q: ", e.Key)
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ErrorList is every problem found in one configuration, in the order the
// keys were checked. Load returns it so that a user fixes all of them at once
// rather than one per run.
type ErrorList []*Error

func (l ErrorList) Error() string {
	lines := make([]string, len(l))
	for i, e := range l {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap lets errors.As find the individual errors.
func (l ErrorList) Unwrap() []error {
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errs
}
