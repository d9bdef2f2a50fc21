// The `crypto` global: a Crypto instance whose methods are Go natives.
// `subtle` is built on first use (it is large and most rooms never touch it).
(function (native) {
  "use strict";
  const illegal = Symbol("illegal constructor guard");
  let subtle;
  class Crypto {
    constructor(key) {
      if (key !== illegal) throw new TypeError("Illegal constructor");
    }
    getRandomValues(array) { return native.getRandomValues(array); }
    randomUUID() { return native.randomUUID(); }
    get subtle() {
      if (subtle === undefined) subtle = native.subtle();
      return subtle;
    }
  }
  Object.defineProperty(Crypto.prototype, Symbol.toStringTag, { value: "Crypto", configurable: true });
  return { crypto: new Crypto(illegal), Crypto };
})
