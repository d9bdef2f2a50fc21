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
