package bundle

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

const inlineMapPrefix = "//# sourceMappingURL=data:application/json;base64,"

// shiftMapColumnsForGoja rewrites the inline source map at the end of code so
// that goja's stack traces show exact 1-based columns.
//
// goja (file.File.Position) looks the map up with a 1-based generated column
// although source map columns are 0-based, and prints the 0-based original
// column it gets back. So every lookup lands one character late and every
// printed column is one short. Moving all generated columns and all original
// columns one to the right corrects both. In the VLQ encoding that is two
// kinds of edit: the first segment of each line carries an absolute
// generated column, and only the first segment of the whole map carries an
// absolute original column; everything else is relative and stays.
func shiftMapColumnsForGoja(code []byte) ([]byte, error) {
	at := bytes.LastIndex(code, []byte(inlineMapPrefix))
	if at < 0 {
		return nil, errors.New("no inline source map")
	}
	start := at + len(inlineMapPrefix)
	end := start + bytes.IndexAny(code[start:], "\r\n")
	if end < start {
		end = len(code)
	}
	raw, err := base64.StdEncoding.DecodeString(string(code[start:end]))
	if err != nil {
		return nil, fmt.Errorf("inline source map: %w", err)
	}
	var sm map[string]json.RawMessage
	if err := json.Unmarshal(raw, &sm); err != nil {
		return nil, fmt.Errorf("inline source map: %w", err)
	}
	var mappings string
	if err := json.Unmarshal(sm["mappings"], &mappings); err != nil {
		return nil, fmt.Errorf("inline source map mappings: %w", err)
	}
	shifted, err := shiftMappings(mappings)
	if err != nil {
		return nil, err
	}
	sm["mappings"], _ = json.Marshal(shifted)
	raw, err = json.Marshal(sm)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(code)+8)
	out = append(out, code[:start]...)
	out = append(out, base64.StdEncoding.EncodeToString(raw)...)
	out = append(out, code[end:]...)
	return out, nil
}

func shiftMappings(mappings string) (string, error) {
	lines := strings.Split(mappings, ";")
	firstSource := true
	for i, line := range lines {
		if line == "" {
			continue
		}
		seg, rest, _ := strings.Cut(line, ",")
		fields, err := decodeVLQ(seg)
		if err != nil {
			return "", fmt.Errorf("source map segment %q: %w", seg, err)
		}
		fields[0]++ // generated column
		if firstSource && len(fields) >= 4 {
			fields[3]++ // original column
			firstSource = false
		}
		if firstSource {
			// The first source-bearing segment may come later on this
			// line; shift it there (its column is still absolute-relative
			// to zero, so +1 moves every later one too).
			segs := strings.Split(rest, ",")
			for j, s := range segs {
				f, err := decodeVLQ(s)
				if err != nil {
					return "", fmt.Errorf("source map segment %q: %w", s, err)
				}
				if len(f) >= 4 {
					f[3]++
					segs[j] = encodeVLQ(f)
					firstSource = false
					break
				}
			}
			rest = strings.Join(segs, ",")
		}
		lines[i] = encodeVLQ(fields)
		if rest != "" {
			lines[i] += "," + rest
		}
	}
	return strings.Join(lines, ";"), nil
}

const vlqChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

func decodeVLQ(s string) ([]int, error) {
	var out []int
	value, shift := 0, 0
	for i := 0; i < len(s); i++ {
		digit := strings.IndexByte(vlqChars, s[i])
		if digit < 0 {
			return nil, fmt.Errorf("bad base64 character %q", s[i])
		}
		value |= (digit & 31) << shift
		if digit&32 != 0 {
			shift += 5
			continue
		}
		if value&1 != 0 {
			out = append(out, -(value >> 1))
		} else {
			out = append(out, value>>1)
		}
		value, shift = 0, 0
	}
	if shift != 0 || len(out) == 0 {
		return nil, errors.New("truncated")
	}
	return out, nil
}

func encodeVLQ(fields []int) string {
	var b strings.Builder
	for _, v := range fields {
		u := v << 1
		if v < 0 {
			u = (-v << 1) | 1
		}
		for {
			digit := u & 31
			u >>= 5
			if u != 0 {
				digit |= 32
			}
			b.WriteByte(vlqChars[digit])
			if u == 0 {
				break
			}
		}
	}
	return b.String()
}
