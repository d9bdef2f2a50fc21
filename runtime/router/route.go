// Package router is gopk's HTTP front door, in PartyKit's order: room paths
// go through the party's edge hooks to the room; other paths are served
// from static assets, then the main party's onFetch/onSocket, then 404.
package router

import "strings"

// Route is a parsed room path.
type Route struct {
	Party string
	Room  string // the raw path segment, not percent-decoded (PartyKit does the same)
}

// Parse splits a raw request path (as sent, still percent-encoded) into a
// party and a room. Anything after the room segment is ignored for routing.
// An empty room is no room: "/parties/main" and "/parties/main/" are not
// room paths.
func Parse(rawPath string) (Route, bool) {
	switch {
	case strings.HasPrefix(rawPath, "/party/"):
		room, _, _ := strings.Cut(rawPath[len("/party/"):], "/")
		if room == "" {
			return Route{}, false
		}
		return Route{Party: "main", Room: room}, true
	case strings.HasPrefix(rawPath, "/parties/"):
		rest := rawPath[len("/parties/"):]
		partyName, rest, found := strings.Cut(rest, "/")
		if !found || partyName == "" {
			return Route{}, false
		}
		room, _, _ := strings.Cut(rest, "/")
		if room == "" {
			return Route{}, false
		}
		return Route{Party: partyName, Room: room}, true
	}
	return Route{}, false
}

// CleanPath removes dot segments from a raw path as a WHATWG URL parser does
// (workerd parses every request URL so): "." and ".." — also written
// "%2e", ".%2E", … — are resolved, everything else stays as sent.
func CleanPath(raw string) string {
	if !strings.Contains(raw, ".") && !strings.Contains(raw, "%2") {
		return raw
	}
	segs := strings.Split(raw, "/")
	out := make([]string, 0, len(segs))
	for i, seg := range segs {
		last := i == len(segs)-1
		switch dots(seg) {
		case 1:
			if last {
				out = append(out, "")
			}
		case 2:
			if len(out) > 1 {
				out = out[:len(out)-1]
			}
			if last {
				out = append(out, "")
			}
		default:
			out = append(out, seg)
		}
	}
	if len(out) == 1 && out[0] == "" {
		return "/"
	}
	return strings.Join(out, "/")
}

// dots is 1 for a "." segment, 2 for "..", in any of their spellings, else 0.
func dots(seg string) int {
	s := strings.ToLower(seg)
	switch s {
	case ".", "%2e":
		return 1
	case "..", ".%2e", "%2e.", "%2e%2e":
		return 2
	}
	return 0
}
