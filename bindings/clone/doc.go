// Package clone is the structured-clone value codec: it turns a JS value of
// one goja runtime into bytes and back, with the semantics of the HTML
// structured clone algorithm as V8 implements it. Durable Objects storage
// (room.storage) keeps values in this form, and globalThis.structuredClone
// is built on it.
//
// Everything here runs on the runtime's own goroutine. Serialize may run
// user code (getters), so errors it returns are *goja.Exception values a
// native function can rethrow with panic(err); an uncloneable value gives a
// DataCloneError. Deserialize runs no user code and reports bad input as an
// error wrapping ErrCorrupt; it never panics on any input.
//
// # Realm
//
// The codec builds and inspects values through the runtime's original
// built-ins (Map.prototype.set, the typed array accessors, ...), captured
// the first time it meets a runtime, so user code that replaces a global
// cannot change what a clone looks like. Call Install (or Serialize) before
// running user code so the captured built-ins are the pristine ones. The
// capture is kept on the global object under a symbol only this package
// holds: it is collected with the runtime.
//
// # Wire format (version 1)
//
// A value is one version byte (0x01) followed by one item. Lengths, counts
// and ids are unsigned LEB128 varints; "zigzag" is the protobuf signed
// mapping; f64 is 8 bytes of IEEE 754, little-endian. Every item starts
// with a tag byte:
//
//	0x00 undefined
//	0x01 null
//	0x02 false
//	0x03 true
//	0x04 integer      zigzag varint; only safe integers (|n| ≤ 2^53), never -0
//	0x05 number       f64 (everything else: fractions, -0, NaN, ±Infinity)
//	0x06 bigint       varint(n<<1 | negative), n bytes of magnitude, big-endian
//	0x07 string       varint(byte length), UTF-8
//	0x08 string16     varint(code units), UTF-16LE; only for strings holding
//	                  lone surrogates, which UTF-8 cannot carry
//	0x09 reference    varint(id): the id-th object of this value, counting
//	                  from 0 in the order objects are first written
//	0x0A object       varint(n), n × (key, item)
//	0x0B array        dense: varint(length), length × item, varint(n), n × (key, item)
//	                  for the non-index properties
//	0x0C sparse array varint(length), varint(n), n × (key, item), index keys included
//	0x0D map          varint(n), n × (key item, value item)
//	0x0E set          varint(n), n × item
//	0x0F date         f64 time value (NaN for an invalid date)
//	0x10 regexp       source (a 0x07/0x08 item), flags byte: bit i set for the
//	                  i-th letter of "dgimsuvy"
//	0x11 boxed        a boolean, number, bigint or string item, wrapped in its object
//	0x12 arraybuffer  varint(byte length), bytes
//	0x13 typed array  kind byte (0 Int8, 1 Uint8, 2 Uint8Clamped, 3 Int16, 4 Uint16,
//	                  5 Int32, 6 Uint32, 7 Float32, 8 Float64, 9 BigInt64,
//	                  10 BigUint64), the buffer (0x12 or a 0x09 to one),
//	                  varint(byte offset), varint(length in elements)
//	0x14 dataview     the buffer (0x12 or 0x09), varint(byte offset), varint(byte length)
//	0x15 error        kind byte (0 Error, 1 EvalError, 2 RangeError, 3 ReferenceError,
//	                  4 SyntaxError, 5 TypeError, 6 URIError), field byte (bit 0
//	                  message, bit 1 stack, bit 2 cause), then the present
//	                  fields in that order: message and stack as string items,
//	                  cause as any item
//
// A key is varint(h) then data, by h&3: 0 a UTF-8 string of h>>2 bytes;
// 1 a UTF-16LE string of h>>2 code units; 2 the array index h>>2 (canonical
// decimal, below 2^32-1), so "0".."9" cost one byte.
//
// Every object (tags 0x0A-0x15) takes the next id when its tag is written,
// before its contents, so cycles and shared references resolve to the same
// object on decode. A typed array or DataView takes its id before the
// buffer it views. Encoding is deterministic: the same value always gives
// the same bytes. A change that old bytes would decode differently must
// bump the version byte.
package clone
