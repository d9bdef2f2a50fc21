package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"
)

// Key layout. Every Pebble key starts with one byte naming its key space:
//
//	0x00 "format"                                       → layout version (uvarint)
//	0x01 seg(project) seg(party) seg(room) 0x01 userKey → a room's value
//	0x01 seg(project) seg(party) seg(room) 0x02         → the room's alarm (8-byte time)
//	0x02 time(8) seg(project) seg(party) seg(room)      → alarm index entry (empty value)
//
// seg(s) is uvarint(len(s)) followed by the bytes of s. Because each segment
// says how long it is, the three segments decode one way only: no room id
// ("a/b", "..", "%2F", NUL bytes, 2 KiB of unicode, "") can spell another
// room's prefix, so the span of one room never overlaps another's
// (FuzzRoomKeys checks this). The user key is last and not length-prefixed, so
// Pebble's byte order over a room's span is the UTF-8 byte order of its user
// keys, which is what list() promises.
//
// time(8) is the alarm's Unix nanoseconds, big-endian with the sign bit
// flipped, so the index iterates in time order.
const (
	spaceMeta  byte = 0x00
	spaceRooms byte = 0x01
	spaceAlarm byte = 0x02

	kindData  byte = 0x01
	kindAlarm byte = 0x02

	// layoutVersion is stored under formatKey; Open refuses other versions.
	layoutVersion = 1
)

var formatKey = []byte{spaceMeta, 'f', 'o', 'r', 'm', 'a', 't'}

// RoomKey names one room: the project it belongs to, its party and its id.
// Any string is allowed in any field, including the empty string.
type RoomKey struct {
	Project, Party, Room string
}

func (k RoomKey) String() string {
	return fmt.Sprintf("%q/%q/%q", k.Project, k.Party, k.Room)
}

func appendSegment(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// appendRoom appends the three length-prefixed segments of k.
func appendRoom(b []byte, k RoomKey) []byte {
	b = appendSegment(b, k.Project)
	b = appendSegment(b, k.Party)
	return appendSegment(b, k.Room)
}

// roomPrefix is the start of every key that belongs to room k, followed by kind.
func roomPrefix(k RoomKey, kind byte) []byte {
	n := 1 + 3*binary.MaxVarintLen64 + len(k.Project) + len(k.Party) + len(k.Room) + 1
	b := make([]byte, 0, n)
	b = append(b, spaceRooms)
	b = appendRoom(b, k)
	return append(b, kind)
}

var errBadSegment = errors.New("store: malformed key segment")

func readSegment(b []byte) (s string, rest []byte, err error) {
	n, w := binary.Uvarint(b)
	if w <= 0 || n > uint64(len(b)-w) {
		return "", nil, errBadSegment
	}
	return string(b[w : w+int(n)]), b[w+int(n):], nil
}

// decodeRoom reads the three segments written by appendRoom.
func decodeRoom(b []byte) (k RoomKey, rest []byte, err error) {
	if k.Project, b, err = readSegment(b); err != nil {
		return RoomKey{}, nil, err
	}
	if k.Party, b, err = readSegment(b); err != nil {
		return RoomKey{}, nil, err
	}
	if k.Room, b, err = readSegment(b); err != nil {
		return RoomKey{}, nil, err
	}
	return k, b, nil
}

// decodeDataKey splits a room value's Pebble key into its room and user key.
func decodeDataKey(b []byte) (RoomKey, string, error) {
	if len(b) == 0 || b[0] != spaceRooms {
		return RoomKey{}, "", fmt.Errorf("store: key %q is not in the room key space", b)
	}
	k, rest, err := decodeRoom(b[1:])
	if err != nil {
		return RoomKey{}, "", err
	}
	if len(rest) == 0 || rest[0] != kindData {
		return RoomKey{}, "", fmt.Errorf("store: key %q is not a room value", b)
	}
	return k, string(rest[1:]), nil
}

// prefixEnd is the smallest key greater than every key that starts with p,
// or nil when there is none (p is all 0xff).
func prefixEnd(p []byte) []byte {
	end := append([]byte(nil), p...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] != 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

func encodeTime(t time.Time) [8]byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(t.UnixNano())^(1<<63))
	return b
}

func decodeTime(b []byte) (time.Time, error) {
	if len(b) != 8 {
		return time.Time{}, fmt.Errorf("store: alarm time has %d bytes, want 8", len(b))
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(b)^(1<<63))), nil
}

// clampAlarm keeps t inside the range UnixNano can represent, so that a far
// future or past alarm keeps its place in the index instead of wrapping.
func clampAlarm(t time.Time) time.Time {
	minT, maxT := time.Unix(0, math.MinInt64), time.Unix(0, math.MaxInt64)
	if t.Before(minT) {
		return minT
	}
	if t.After(maxT) {
		return maxT
	}
	return t
}

func alarmIndexKey(t time.Time, k RoomKey) []byte {
	tb := encodeTime(t)
	b := make([]byte, 0, 9+3*binary.MaxVarintLen64+len(k.Project)+len(k.Party)+len(k.Room))
	b = append(b, spaceAlarm)
	b = append(b, tb[:]...)
	return appendRoom(b, k)
}

func decodeAlarmIndexKey(b []byte) (time.Time, RoomKey, error) {
	if len(b) < 9 || b[0] != spaceAlarm {
		return time.Time{}, RoomKey{}, fmt.Errorf("store: key %q is not an alarm index entry", b)
	}
	t, err := decodeTime(b[1:9])
	if err != nil {
		return time.Time{}, RoomKey{}, err
	}
	k, rest, err := decodeRoom(b[9:])
	if err != nil {
		return time.Time{}, RoomKey{}, err
	}
	if len(rest) != 0 {
		return time.Time{}, RoomKey{}, fmt.Errorf("store: alarm index key %q has %d trailing bytes", b, len(rest))
	}
	return t, k, nil
}
