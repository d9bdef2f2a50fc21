package storage

import (
	"github.com/dop251/goja"

	"gopk/store"
)

// txnState is where a JS transaction object is in its life.
type txnState int

const (
	txnOpen txnState = iota
	txnCommitted
	txnRolledBack
)

// jsTxn is the txn object handed to a transaction closure.
type jsTxn struct {
	b     *binding
	txn   *store.Txn
	state txnState
}

// target is the store transaction, or workerd's error for a finished one.
func (t *jsTxn) target(op string) (kv, error) {
	switch t.state {
	case txnRolledBack:
		return nil, t.b.plainError("Cannot %s on rolled back transaction", op)
	case txnCommitted:
		return nil, t.b.plainError("Cannot call %s on transaction that has already committed: did you move `txn` outside of the closure?", op)
	}
	return t.txn, nil
}

func (t *jsTxn) object() *goja.Object {
	b := t.b
	o := b.vm.NewObject()
	b.installOps(o, t.target)
	b.method(o, "deleteAll", func(goja.FunctionCall) goja.Value {
		panic(b.reason(b.plainError("Cannot call deleteAll() within a transaction")))
	})
	b.method(o, "rollback", func(goja.FunctionCall) goja.Value {
		switch t.state {
		case txnRolledBack:
			return goja.Undefined() // rollback() may be called more than once
		case txnCommitted:
			_, err := t.target("rollback()")
			panic(b.reason(err))
		}
		t.txn.Rollback()
		t.state = txnRolledBack
		return goja.Undefined()
	})
	return o
}

// transaction(closure) runs closure(txn) as workerd does: in a later
// microtask, with the room's other events held back until it settles. If
// the closure's promise fulfils, the transaction's writes join the room's
// (unless txn.rollback() was called) and transaction() resolves with its
// value; if it throws or rejects, the writes are dropped and transaction()
// rejects with the same error.
func (b *binding) transaction(call goja.FunctionCall) goja.Value {
	closure := call.Argument(0)
	if _, ok := goja.AssertFunction(closure); !ok {
		return b.async(func() (goja.Value, error) {
			return nil, b.typeError("transaction() requires a function.")
		})
	}
	t := &jsTxn{b: b, txn: b.room.Begin()}
	g, holds := b.env.Loop.(gate)
	if holds {
		g.Hold()
	}
	finish := func() {
		if holds {
			g.Release()
			holds = false
		}
	}

	result, resolve, reject := b.vm.NewPromise()
	start, startResolve, _ := b.vm.NewPromise()
	_ = startResolve(t.object())
	ran, err := b.then(b.vm.ToValue(start), closure)
	if err != nil {
		t.txn.Rollback()
		finish()
		_ = reject(b.reason(err))
		return b.vm.ToValue(result)
	}
	onDone := b.vm.ToValue(func(c goja.FunctionCall) goja.Value {
		finish()
		if t.state == txnOpen {
			if err := t.txn.Commit(); err != nil {
				_ = reject(b.reason(err))
				return goja.Undefined()
			}
			t.state = txnCommitted
		}
		_ = resolve(c.Argument(0))
		return goja.Undefined()
	})
	onFail := b.vm.ToValue(func(c goja.FunctionCall) goja.Value {
		finish()
		t.txn.Rollback()
		t.state = txnRolledBack
		_ = reject(c.Argument(0))
		return goja.Undefined()
	})
	if _, err := b.then(ran, onDone, onFail); err != nil {
		finish()
		t.txn.Rollback()
		_ = reject(b.reason(err))
	}
	return b.vm.ToValue(result)
}
