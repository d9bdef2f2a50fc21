// SubtleCrypto and CryptoKey: JS shells over Go's crypto packages. Every
// method normalises its arguments, then one Go native does the work; Go
// errors arrive as DOMExceptions and become rejections.
(function (native) {
  "use strict";
  const tag = (cls, name) =>
    Object.defineProperty(cls.prototype, Symbol.toStringTag, { value: name, configurable: true });
  const illegal = Symbol("illegal constructor guard");

  let keyHandle;
  class CryptoKey {
    #h; #type; #extractable; #algorithm; #usages;
    constructor(key, h, type, extractable, algorithm, usages) {
      if (key !== illegal) throw new TypeError("Illegal constructor");
      this.#h = h; this.#type = type; this.#extractable = extractable;
      this.#algorithm = algorithm; this.#usages = usages;
    }
    get type() { return this.#type; }
    get extractable() { return this.#extractable; }
    get algorithm() { return this.#algorithm; }
    get usages() { return this.#usages; }
    static {
      keyHandle = (k) => {
        if (!(k instanceof CryptoKey)) throw new TypeError("The key must be a CryptoKey");
        return k.#h;
      };
    }
  }
  tag(CryptoKey, "CryptoKey");

  const makeKey = (h, type, extractable, algorithm, usages) =>
    new CryptoKey(illegal, h, type, extractable, algorithm, usages);

  const norm = (alg) => {
    if (typeof alg === "string") return { name: alg };
    if (alg === null || typeof alg !== "object") throw new TypeError("The algorithm must be a string or an object with a name");
    const out = { ...alg, name: `${alg.name}` };
    if (alg.hash !== undefined) out.hash = typeof alg.hash === "string" ? alg.hash : `${alg.hash.name}`;
    return out;
  };
  const pair = (r) => (Array.isArray(r) ? { publicKey: r[0], privateKey: r[1] } : r);

  class SubtleCrypto {
    constructor(key) { if (key !== illegal) throw new TypeError("Illegal constructor"); }
    async digest(algorithm, data) { return native.digest(norm(algorithm).name, data); }
    async importKey(format, keyData, algorithm, extractable, usages) {
      return native.importKey(`${format}`, keyData, norm(algorithm), !!extractable, [...usages].map(String), makeKey);
    }
    async exportKey(format, key) { return native.exportKey(`${format}`, keyHandle(key)); }
    async generateKey(algorithm, extractable, usages) {
      return pair(await native.generateKey(norm(algorithm), !!extractable, [...usages].map(String), makeKey));
    }
    async sign(algorithm, key, data) { return native.sign(norm(algorithm), keyHandle(key), data); }
    async verify(algorithm, key, signature, data) { return native.verify(norm(algorithm), keyHandle(key), signature, data); }
    async encrypt(algorithm, key, data) { return native.encrypt(norm(algorithm), keyHandle(key), data); }
    async decrypt(algorithm, key, data) { return native.decrypt(norm(algorithm), keyHandle(key), data); }
    async deriveBits(algorithm, baseKey, length) { return native.deriveBits(norm(algorithm), keyHandle(baseKey), length); }
    async deriveKey(algorithm, baseKey, derivedKeyType, extractable, usages) {
      const dk = norm(derivedKeyType);
      const length = dk.length ?? (dk.name === "HMAC" ? native.hashBits(dk.hash) : 0);
      const bits = await native.deriveBits(norm(algorithm), keyHandle(baseKey), length);
      return this.importKey("raw", bits, dk, extractable, usages);
    }
    async wrapKey(format, key, wrappingKey, wrapAlgorithm) {
      let data = await this.exportKey(format, key);
      if (format === "jwk") data = new TextEncoder().encode(JSON.stringify(data));
      return this.encrypt(wrapAlgorithm, wrappingKey, data);
    }
    async unwrapKey(format, wrapped, unwrappingKey, unwrapAlgorithm, keyAlgorithm, extractable, usages) {
      let data = await this.decrypt(unwrapAlgorithm, unwrappingKey, wrapped);
      if (format === "jwk") data = JSON.parse(new TextDecoder().decode(data));
      return this.importKey(format, data, keyAlgorithm, extractable, usages);
    }
  }
  tag(SubtleCrypto, "SubtleCrypto");

  return { subtle: new SubtleCrypto(illegal), SubtleCrypto, CryptoKey };
})
