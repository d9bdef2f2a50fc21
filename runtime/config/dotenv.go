package config

import (
	"regexp"
	"strings"
)

// PartyKit reads .env files with the npm dotenv package (v16). Its rules are
// reproduced here rather than using github.com/joho/godotenv, which expands
// $NAME references (from the file and from the host's own environment):
// dotenv keeps "pa$$word" as written, and a room must never see the host's
// environment.

// jsSpace is JavaScript's \s, which is wider than RE2's.
const jsSpace = `[\t\n\v\f\r \x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}\x{feff}]`

// dotenvLine is dotenv's LINE expression with \s spelt out: an optional
// "export", a key, "=" or ": ", then a single-, double- or back-quoted value
// (which may span lines) or an unquoted one up to a '#' comment.
var dotenvLine = regexp.MustCompile(`(?m)^` + jsSpace + `*(?:export` + jsSpace + `+)?([\w.-]+)(?:` + jsSpace + `*=` + jsSpace + `*?|:` + jsSpace + `+?)(` +
	jsSpace + `*'(?:\\'|[^'])*'|` +
	jsSpace + `*"(?:\\"|[^"])*"|` +
	jsSpace + "*`(?:\\\\`|[^`])*`|" +
	`[^#\r\n]+)?` + jsSpace + `*(?:#.*)?$`)

// parseDotenv returns the variables of a .env file. Like dotenv it never
// fails: lines it does not understand are skipped, and later keys win.
func parseDotenv(src string) map[string]string {
	src = strings.ReplaceAll(src, "\r\n", "\n")
	src = strings.ReplaceAll(src, "\r", "\n")
	out := map[string]string{}
	for _, m := range dotenvLine.FindAllStringSubmatch(src, -1) {
		value := trimJSSpace(m[2])
		doubleQuoted := strings.HasPrefix(value, `"`)
		if len(value) >= 2 && strings.ContainsRune("'\"`", rune(value[0])) && value[len(value)-1] == value[0] {
			value = value[1 : len(value)-1]
		}
		// dotenv expands \n and \r when the value started with a double
		// quote, even an unterminated one.
		if doubleQuoted {
			value = strings.ReplaceAll(value, `\n`, "\n")
			value = strings.ReplaceAll(value, `\r`, "\r")
		}
		out[m[1]] = value
	}
	return out
}

// trimJSSpace is String.prototype.trim, which also strips U+FEFF.
func trimJSSpace(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		switch r {
		case '\t', '\n', '\v', '\f', '\r', ' ', 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff:
			return true
		}
		return r >= 0x2000 && r <= 0x200a
	})
}
