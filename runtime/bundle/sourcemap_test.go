package bundle

import (
	"reflect"
	"testing"
)

func TestVLQRoundTrip(t *testing.T) {
	cases := []struct {
		text   string
		fields []int
	}{
		{"AAAA", []int{0, 0, 0, 0}},
		{"AACA", []int{0, 0, 1, 0}},
		{"D", []int{-1}},
		{"gBAAgB", []int{16, 0, 0, 16}},
		{"6jDAAjrD", []int{1597, 0, 0, -1713}},
	}
	for _, c := range cases {
		got, err := decodeVLQ(c.text)
		if err != nil || !reflect.DeepEqual(got, c.fields) {
			t.Errorf("decodeVLQ(%q) = %v, %v; want %v", c.text, got, err, c.fields)
		}
		if enc := encodeVLQ(c.fields); enc != c.text {
			t.Errorf("encodeVLQ(%v) = %q, want %q", c.fields, enc, c.text)
		}
	}
	for _, bad := range []string{"", "g", "A*"} {
		if _, err := decodeVLQ(bad); err == nil {
			t.Errorf("decodeVLQ(%q) succeeded", bad)
		}
	}
}

// Every line's first generated column moves right by one, and so does the
// first original column of the map (all later ones are relative to it).
func TestShiftMappings(t *testing.T) {
	// line 1: no mappings; line 2: a column-only segment, then [4,0,0,2];
	// line 3: [0,0,1,-2],[6,0,0,3].
	in := ";A,IAAE;AACF,MAAG"
	got, err := shiftMappings(in)
	if err != nil {
		t.Fatal(err)
	}
	want := ";C,IAAG;CACF,MAAG"
	if got != want {
		t.Errorf("shiftMappings(%q) = %q, want %q", in, got, want)
	}
}
