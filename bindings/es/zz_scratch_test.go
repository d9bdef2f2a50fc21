package es

import (
	"os"
	"testing"

	"github.com/dop251/goja"
)

func TestZZScratch(t *testing.T) {
	vm := goja.New()
	if err := Install(vm); err != nil {
		t.Fatal(err)
	}
	src, _ := os.ReadFile(os.Getenv("SCRATCH"))
	v, err := vm.RunString(string(src))
	if err != nil {
		t.Fatal(err)
	}
	t.Log(v)
}
