package clone

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzDeserialize feeds arbitrary bytes to Deserialize. It must never panic
// or hang; it either reports ErrCorrupt or returns a value that encodes
// again, whose encoding is stable and decodes to a faithful clone.
//
//	go test -fuzz FuzzDeserialize ./bindings/clone/
func FuzzDeserialize(f *testing.F) {
	vm := newRuntime(f)
	for _, c := range roundTripCases {
		b, err := Serialize(vm, run(f, vm, c.expr))
		if err != nil {
			f.Fatalf("%s: %v", c.name, err)
		}
		f.Add(b)
	}
	for _, b := range [][]byte{
		{},
		{2, tagNull},
		{1, tagTypedArray, byte(typedFloat64), tagArrayBuffer, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 1},
		{1, tagArray, 2, tagRef, 0, tagObject, 1, 1<<2 | keyUTF16, 0x00, 0xd8, tagRef, 1, 0},
		{1, tagSparseArray, 0xfe, 0xff, 0xff, 0xff, 0x0f, 1, 5<<2 | keyIndex, tagString16, 1, 0x00, 0xdc},
	} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := Deserialize(vm, b)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error does not wrap ErrCorrupt: %v", err)
			}
			return
		}
		again, err := Serialize(vm, v)
		if err != nil {
			t.Fatalf("a decoded value does not serialize: %v", err)
		}
		v2, err := Deserialize(vm, again)
		if err != nil {
			t.Fatalf("our own encoding does not decode: %v\n% x", err, again)
		}
		third, err := Serialize(vm, v2)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again, third) {
			t.Fatalf("encoding is not stable:\n% x\n% x", again, third)
		}
		assertClone(t, vm, v, v2)
	})
}
