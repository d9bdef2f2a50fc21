package main

import (
	"slices"
	"testing"
)

func TestOptionalValues(t *testing.T) {
	cases := []struct{ in, want []string }{
		{[]string{"dev", "--persist", "data"}, []string{"dev", "--persist=data"}},
		{[]string{"dev", "--persist"}, []string{"dev", "--persist"}},
		{[]string{"dev", "--persist", "--port", "1"}, []string{"dev", "--persist", "--port", "1"}},
		{[]string{"dev", "--persist=x"}, []string{"dev", "--persist=x"}},
		{[]string{"dev", "--", "--persist", "x"}, []string{"dev", "--", "--persist", "x"}},
	}
	for _, c := range cases {
		if got := optionalValues(c.in, "--persist"); !slices.Equal(got, c.want) {
			t.Errorf("optionalValues(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
