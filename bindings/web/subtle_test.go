package web

import (
	"os/exec"
	"strings"
	"testing"
)

func TestSubtle(t *testing.T) {
	r := newTestRoom(t, Options{})
	r.eval(`globalThis.te = new TextEncoder()`)
	hex := `const hex = b => [...new Uint8Array(b)].map(x => x.toString(16).padStart(2, "0")).join(""); const te = new TextEncoder();`
	runCases(t, r, []jsCase{
		{"digests", hex + `Promise.all(["SHA-1", "SHA-256", "sha-384", {name: "SHA-512"}].map(a => crypto.subtle.digest(a, te.encode("abc")).then(hex)))`,
			`["a9993e364706816aba3e25717850c26c9cd0d89d","ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad","cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7","ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"]`},
		{"unknown digest", `crypto.subtle.digest("SHA-3", new Uint8Array(1)).catch(e => e.name)`, `"NotSupportedError"`},
		{"HMAC sign and verify", hex + `crypto.subtle.importKey("raw", te.encode("key"), {name: "HMAC", hash: "SHA-256"}, false, ["sign", "verify"]).then(async k => { const sig = await crypto.subtle.sign("HMAC", k, te.encode("The quick brown fox jumps over the lazy dog")); return [hex(sig), await crypto.subtle.verify("HMAC", k, sig, te.encode("The quick brown fox jumps over the lazy dog")), await crypto.subtle.verify("HMAC", k, sig, te.encode("tampered")), k.type, k.algorithm.name, k.algorithm.hash.name, k.algorithm.length, k.extractable, k.usages, k instanceof CryptoKey]; })`,
			`["f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8",true,false,"secret","HMAC","SHA-256",24,false,["sign","verify"],true]`},
		{"usage enforced", `crypto.subtle.importKey("raw", new Uint8Array(16), {name: "HMAC", hash: "SHA-256"}, false, ["verify"]).then(k => crypto.subtle.sign("HMAC", k, new Uint8Array(1))).catch(e => e.name)`, `"InvalidAccessError"`},
		{"not extractable", `crypto.subtle.importKey("raw", new Uint8Array(16), {name: "HMAC", hash: "SHA-256"}, false, ["sign"]).then(k => crypto.subtle.exportKey("raw", k)).catch(e => e.name)`, `"InvalidAccessError"`},
		{"ECDSA P-256 round trip through jwk and spki", `(async () => { const {publicKey, privateKey} = await crypto.subtle.generateKey({name: "ECDSA", namedCurve: "P-256"}, true, ["sign", "verify"]); const data = te.encode("msg"); const sig = await crypto.subtle.sign({name: "ECDSA", hash: "SHA-256"}, privateKey, data); const jwk = await crypto.subtle.exportKey("jwk", publicKey); const spki = await crypto.subtle.exportKey("spki", publicKey); const k2 = await crypto.subtle.importKey("jwk", jwk, {name: "ECDSA", namedCurve: "P-256"}, true, ["verify"]); const k3 = await crypto.subtle.importKey("spki", spki, {name: "ECDSA", namedCurve: "P-256"}, true, ["verify"]); const pk8 = await crypto.subtle.exportKey("pkcs8", privateKey); const k4 = await crypto.subtle.importKey("pkcs8", pk8, {name: "ECDSA", namedCurve: "P-256"}, false, ["sign"]); const sig2 = await crypto.subtle.sign({name: "ECDSA", hash: "SHA-256"}, k4, data); return [sig.byteLength, jwk.kty, jwk.crv, await crypto.subtle.verify({name: "ECDSA", hash: "SHA-256"}, k2, sig, data), await crypto.subtle.verify({name: "ECDSA", hash: "SHA-256"}, k3, sig2, data), await crypto.subtle.verify({name: "ECDSA", hash: "SHA-256"}, k3, sig, te.encode("other")), publicKey.usages, privateKey.usages]; })()`,
			`[64,"EC","P-256",true,true,false,["verify"],["sign"]]`},
		{"Ed25519", `(async () => { const {publicKey, privateKey} = await crypto.subtle.generateKey({name: "Ed25519"}, true, ["sign", "verify"]); const sig = await crypto.subtle.sign("Ed25519", privateKey, te.encode("m")); const raw = await crypto.subtle.exportKey("raw", publicKey); const pub = await crypto.subtle.importKey("raw", raw, "Ed25519", true, ["verify"]); return [sig.byteLength, raw.byteLength, await crypto.subtle.verify("Ed25519", pub, sig, te.encode("m")), await crypto.subtle.verify("Ed25519", pub, sig, te.encode("n"))]; })()`, `[64,32,true,false]`},
		{"RSA PKCS1 and PSS", `(async () => { const alg = {name: "RSASSA-PKCS1-v1_5", modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256"}; const {publicKey, privateKey} = await crypto.subtle.generateKey(alg, true, ["sign", "verify"]); const sig = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", privateKey, te.encode("m")); const jwk = await crypto.subtle.exportKey("jwk", privateKey); const pss = await crypto.subtle.importKey("jwk", {...jwk, alg: "PS256"}, {name: "RSA-PSS", hash: "SHA-256"}, false, ["sign"]); const pssPub = await crypto.subtle.importKey("spki", await crypto.subtle.exportKey("spki", publicKey), {name: "RSA-PSS", hash: "SHA-256"}, false, ["verify"]); const psig = await crypto.subtle.sign({name: "RSA-PSS", saltLength: 32}, pss, te.encode("m")); return [jwk.alg, publicKey.algorithm.modulusLength, await crypto.subtle.verify("RSASSA-PKCS1-v1_5", publicKey, sig, te.encode("m")), await crypto.subtle.verify({name: "RSA-PSS", saltLength: 32}, pssPub, psig, te.encode("m")), await crypto.subtle.verify("RSASSA-PKCS1-v1_5", publicKey, sig, te.encode("x"))]; })()`, `["RS256",1024,true,true,false]`},
		{"AES-GCM", `(async () => { const k = await crypto.subtle.generateKey({name: "AES-GCM", length: 256}, true, ["encrypt", "decrypt"]); const iv = crypto.getRandomValues(new Uint8Array(12)); const ct = await crypto.subtle.encrypt({name: "AES-GCM", iv, additionalData: te.encode("aad")}, k, te.encode("secret")); const pt = await crypto.subtle.decrypt({name: "AES-GCM", iv, additionalData: te.encode("aad")}, k, ct); const bad = await crypto.subtle.decrypt({name: "AES-GCM", iv}, k, ct).catch(e => e.name); return [ct.byteLength, new TextDecoder().decode(pt), bad, (await crypto.subtle.exportKey("jwk", k)).alg]; })()`, `[22,"secret","OperationError","A256GCM"]`},
		{"PBKDF2 and HKDF", hex + `(async () => { const base = await crypto.subtle.importKey("raw", te.encode("password"), "PBKDF2", false, ["deriveBits"]); const bits = await crypto.subtle.deriveBits({name: "PBKDF2", salt: te.encode("salt"), iterations: 1, hash: "SHA-1"}, base, 160); const hk = await crypto.subtle.importKey("raw", new Uint8Array(22).fill(0x0b), "HKDF", false, ["deriveKey", "deriveBits"]); const okm = await crypto.subtle.deriveBits({name: "HKDF", hash: "SHA-256", salt: new Uint8Array(13).map((_, i) => i), info: new Uint8Array(10).map((_, i) => 0xf0 + i)}, hk, 336); const aes = await crypto.subtle.deriveKey({name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: new Uint8Array(0)}, hk, {name: "AES-GCM", length: 128}, true, ["encrypt"]); return [hex(bits), hex(okm), aes.algorithm.length]; })()`,
			`["0c60c80f961f0e71f3a9b524af6012062fe037a6","3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",128]`},
		{"subtle classes", `[crypto.subtle instanceof SubtleCrypto, Object.prototype.toString.call(crypto.subtle)]`, `[true,"[object SubtleCrypto]"]`},
	})
}

// Keys and signatures made by Node's WebCrypto (the V8/BoringSSL reference)
// must verify here, so tokens minted elsewhere are accepted by a room.
func TestSubtleVerifiesNodeSignatures(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed")
	}
	script := `(async () => {
		const s = crypto.subtle, te = new TextEncoder(), data = te.encode("payload");
		const b64 = b => Buffer.from(b).toString("base64");
		const out = {};
		const ec = await s.generateKey({name: "ECDSA", namedCurve: "P-256"}, true, ["sign", "verify"]);
		out.ec = [await s.exportKey("jwk", ec.publicKey), b64(await s.sign({name: "ECDSA", hash: "SHA-256"}, ec.privateKey, data))];
		const ed = await s.generateKey({name: "Ed25519"}, true, ["sign", "verify"]);
		out.ed = [b64(await s.exportKey("spki", ed.publicKey)), b64(await s.sign("Ed25519", ed.privateKey, data))];
		const rsa = await s.generateKey({name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256"}, true, ["sign", "verify"]);
		out.rsa = [await s.exportKey("jwk", rsa.publicKey), b64(await s.sign("RSASSA-PKCS1-v1_5", rsa.privateKey, data))];
		const pss = await s.generateKey({name: "RSA-PSS", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-384"}, true, ["sign", "verify"]);
		out.pss = [b64(await s.exportKey("spki", pss.publicKey)), b64(await s.sign({name: "RSA-PSS", saltLength: 48}, pss.privateKey, data))];
		const aes = await s.generateKey({name: "AES-GCM", length: 128}, true, ["encrypt", "decrypt"]);
		const iv = crypto.getRandomValues(new Uint8Array(12));
		out.aes = [b64(await s.exportKey("raw", aes)), b64(iv), b64(await s.encrypt({name: "AES-GCM", iv}, aes, data))];
		console.log(JSON.stringify(out));
	})()`
	out, err := exec.Command(node, "-e", script).Output()
	if err != nil {
		t.Skipf("node could not make vectors: %v", err)
	}
	r := newTestRoom(t, Options{})
	r.eval("globalThis.v = " + strings.TrimSpace(string(out)))
	got := r.settle(`(async () => {
		const s = crypto.subtle, data = new TextEncoder().encode("payload");
		const bin = b64 => new Uint8Array([...atob(b64)].map(c => c.charCodeAt(0)));
		const ec = await s.importKey("jwk", v.ec[0], {name: "ECDSA", namedCurve: "P-256"}, false, ["verify"]);
		const ed = await s.importKey("spki", bin(v.ed[0]), "Ed25519", false, ["verify"]);
		const rsa = await s.importKey("jwk", v.rsa[0], {name: "RSASSA-PKCS1-v1_5", hash: "SHA-256"}, false, ["verify"]);
		const pss = await s.importKey("spki", bin(v.pss[0]), {name: "RSA-PSS", hash: "SHA-384"}, false, ["verify"]);
		const aes = await s.importKey("raw", bin(v.aes[0]), "AES-GCM", false, ["decrypt"]);
		return [
			await s.verify({name: "ECDSA", hash: "SHA-256"}, ec, bin(v.ec[1]), data),
			await s.verify("Ed25519", ed, bin(v.ed[1]), data),
			await s.verify("RSASSA-PKCS1-v1_5", rsa, bin(v.rsa[1]), data),
			await s.verify({name: "RSA-PSS", saltLength: 48}, pss, bin(v.pss[1]), data),
			new TextDecoder().decode(await s.decrypt({name: "AES-GCM", iv: bin(v.aes[1])}, aes, bin(v.aes[2]))),
		];
	})()`)
	if got != `[true,true,true,true,"payload"]` {
		t.Fatalf("verifying Node's signatures: %s", got)
	}
}
