// require("crypto"): the Node crypto calls npm packages use in workerd
// (hashes, HMAC, random bytes, timingSafeEqual) over Go, plus webcrypto.
(function (exports, require, module, native) {
  "use strict";
  const { Buffer } = require("buffer");
  const toBytes = (data, enc) => (typeof data === "string" ? Buffer.from(data, enc ?? "utf8") : data);

  class Hash {
    #h;
    constructor(h) { this.#h = h; }
    update(data, enc) { native.hashUpdate(this.#h, toBytes(data, enc)); return this; }
    digest(enc) {
      const b = Buffer.from(native.hashDigest(this.#h));
      return enc === undefined || enc === "buffer" ? b : b.toString(enc);
    }
    copy() { return new Hash(native.hashCopy(this.#h)); }
  }
  const createHash = (alg) => new Hash(native.hashNew(`${alg}`, null));
  const createHmac = (alg, key) => new Hash(native.hashNew(`${alg}`, toBytes(key instanceof Object && key.export ? key.export() : key)));

  const randomBytes = (n, cb) => {
    const b = Buffer.from(crypto.getRandomValues(new Uint8Array(n)));
    if (typeof cb === "function") { queueMicrotask(() => cb(null, b)); return undefined; }
    return b;
  };
  const randomInt = (min, max, cb) => {
    if (max === undefined || typeof max === "function") { cb = max; max = min; min = 0; }
    const v = native.randomInt(min, max);
    if (typeof cb === "function") { queueMicrotask(() => cb(null, v)); return undefined; }
    return v;
  };
  const timingSafeEqual = (a, b) => {
    if (a.byteLength !== b.byteLength) {
      const e = new RangeError("Input buffers must have the same byte length");
      e.code = "ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH";
      throw e;
    }
    return native.timingSafeEqual(a, b);
  };

  Object.assign(exports, {
    createHash,
    createHmac,
    randomBytes,
    randomFillSync: (buf) => { crypto.getRandomValues(new Uint8Array(buf.buffer ?? buf, buf.byteOffset ?? 0, buf.byteLength)); return buf; },
    randomInt,
    randomUUID: () => crypto.randomUUID(),
    getRandomValues: (a) => crypto.getRandomValues(a),
    timingSafeEqual,
    getHashes: () => ["md5", "sha1", "sha256", "sha384", "sha512"],
    webcrypto: crypto,
    subtle: crypto.subtle,
  });
})
