package config

import (
	"bytes"
	"errors"
	"unicode/utf8"

	"github.com/titanous/json5"
)

// parseJSON5 decodes a config file. PartyKit reads partykit.json with the
// json5 npm package, so comments, trailing commas, unquoted keys, single
// quotes, hex numbers and Infinity/NaN are all accepted. Syntax errors come
// back as *Error with a line and column.
func parseJSON5(file string, data []byte) (any, *Error) {
	// JSON5 treats a byte order mark as white space; the Go decoder does not.
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var v any
	err := json5.Unmarshal(data, &v)
	if err == nil {
		return v, nil
	}
	e := &Error{File: file, Msg: err.Error()}
	var syntax *json5.SyntaxError
	var typ *json5.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		e.Line, e.Column = lineCol(data, syntax.Offset)
	case errors.As(err, &typ):
		// The only type error decoding into `any` can give is a number too
		// big for a float64 (JSON5 would make it Infinity).
		e.Line, e.Column = lineCol(data, typ.Offset)
		e.Msg = typ.Value + " is out of range"
	}
	return nil, e
}

// lineCol turns the decoder's offset (the number of bytes read when the
// error was found, so the bad byte is the one before it) into a 1-based line
// and a 1-based column counted in characters.
func lineCol(data []byte, offset int64) (line, col int) {
	at := int(offset) - 1
	if at < 0 {
		at = 0
	}
	if at > len(data) {
		at = len(data)
	}
	before := data[:at]
	line = bytes.Count(before, []byte("\n")) + 1
	lineStart := bytes.LastIndexByte(before, '\n') + 1
	col = utf8.RuneCount(before[lineStart:]) + 1
	return line, col
}
