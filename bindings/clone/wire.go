package clone

import (
	"encoding/binary"
	"math"
)

// formatVersion is the first byte of every serialized value.
const formatVersion = 1

// Tags; see doc.go. They are persisted: never renumber.
const (
	tagUndefined   = 0x00
	tagNull        = 0x01
	tagFalse       = 0x02
	tagTrue        = 0x03
	tagInt         = 0x04
	tagNumber      = 0x05
	tagBigInt      = 0x06
	tagString      = 0x07
	tagString16    = 0x08
	tagRef         = 0x09
	tagObject      = 0x0A
	tagArray       = 0x0B
	tagSparseArray = 0x0C
	tagMap         = 0x0D
	tagSet         = 0x0E
	tagDate        = 0x0F
	tagRegExp      = 0x10
	tagBoxed       = 0x11
	tagArrayBuffer = 0x12
	tagTypedArray  = 0x13
	tagDataView    = 0x14
	tagError       = 0x15
)

// Key kinds, the low two bits of a key header.
const (
	keyUTF8  = 0
	keyUTF16 = 1
	keyIndex = 2
)

// Error field bits.
const (
	errorHasMessage = 1 << iota
	errorHasStack
	errorHasCause
)

// maxDepth bounds object nesting in both directions, so hostile or
// accidental depth errors out instead of exhausting the Go stack.
const maxDepth = 2000

// maxSafeInteger is 2^53, beyond which float64 has gaps.
const maxSafeInteger = 1 << 53

// maxArrayIndex is the largest array index plus one (2^32 - 1).
const maxArrayIndex = math.MaxUint32

func appendUvarint(b []byte, v uint64) []byte { return binary.AppendUvarint(b, v) }

func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

func appendFloat(b []byte, f float64) []byte {
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
}

// appendNumber writes a number as tagInt when that is exact and shorter.
func appendNumber(b []byte, f float64) []byte {
	if i := int64(f); float64(i) == f && i >= -maxSafeInteger && i <= maxSafeInteger && (i != 0 || !math.Signbit(f)) {
		b = append(b, tagInt)
		return binary.AppendVarint(b, i) // zigzag
	}
	b = append(b, tagNumber)
	return appendFloat(b, f)
}

// arrayIndex reports whether k is a canonical array index ("0", "17",
// never "017" or "4294967295").
func arrayIndex(k string) (uint32, bool) {
	if len(k) == 0 || len(k) > 10 || k[0] < '0' || k[0] > '9' || (k[0] == '0' && len(k) > 1) {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	if n >= maxArrayIndex {
		return 0, false
	}
	return uint32(n), true
}

// appendKey writes a property key known to be valid UTF-16 (a Go string
// without lone surrogates).
func appendKey(b []byte, k string) []byte {
	if i, ok := arrayIndex(k); ok {
		return appendUvarint(b, uint64(i)<<2|keyIndex)
	}
	b = appendUvarint(b, uint64(len(k))<<2|keyUTF8)
	return append(b, k...)
}

// putUvarintAt writes v as the varint that starts at pos and was given
// reserved bytes, moving what follows when the encoding is shorter, so the
// output stays canonical.
func putUvarintAt(b []byte, pos, reserved int, v uint64) []byte {
	n := uvarintLen(v)
	if n == reserved {
		binary.PutUvarint(b[pos:], v)
		return b
	}
	if n < reserved {
		binary.PutUvarint(b[pos:], v)
		copy(b[pos+n:], b[pos+reserved:])
		return b[:len(b)-(reserved-n)]
	}
	// Longer than reserved: make room.
	grow := n - reserved
	b = append(b, make([]byte, grow)...)
	copy(b[pos+n:], b[pos+reserved:len(b)-grow])
	binary.PutUvarint(b[pos:], v)
	return b
}
