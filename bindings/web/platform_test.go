package web

import "testing"

func TestCryptoRandom(t *testing.T) {
	r := newTestRoom(t, Options{})
	runCases(t, r, []jsCase{
		{"fills in place and returns the same array", `const a = new Uint8Array(64); const b = crypto.getRandomValues(a); [a === b, a.some(x => x !== 0)]`, `[true,true]`},
		{"views into a larger buffer fill only their range", `const buf = new Uint8Array(32); crypto.getRandomValues(new Uint32Array(buf.buffer, 8, 4)); [buf.slice(0, 8).every(x => x === 0), buf.slice(24).every(x => x === 0), buf.slice(8, 24).some(x => x !== 0)]`, `[true,true,true]`},
		{"BigInt64Array is accepted", `crypto.getRandomValues(new BigInt64Array(2)).length`, `2`},
		{"floats are refused", `try { crypto.getRandomValues(new Float32Array(2)) } catch (e) { [e.name, e instanceof DOMException, e.code] }`, `["TypeMismatchError",true,17]`},
		{"quota", `try { crypto.getRandomValues(new Uint8Array(65537)) } catch (e) { e.name }`, `"QuotaExceededError"`},
		{"quota boundary", `crypto.getRandomValues(new Uint8Array(65536)).length`, `65536`},
		{"randomUUID v4", `const u = crypto.randomUUID(); [/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(u), u !== crypto.randomUUID()]`, `[true,true]`},
		{"Crypto class", `[crypto instanceof Crypto, Object.prototype.toString.call(crypto)]`, `[true,"[object Crypto]"]`},
		{"Crypto is not constructible", `new Crypto()`, `throws TypeError: Illegal constructor`},
	})
}

func TestBase64(t *testing.T) {
	r := newTestRoom(t, Options{})
	runCases(t, r, []jsCase{
		{"round trip latin1", `atob(btoa("h\u00e9llo\u00ff"))`, `"hélloÿ"`},
		{"btoa", `btoa("hello")`, `"aGVsbG8="`},
		{"atob forgiving whitespace and missing padding", `atob(" aGVs\nbG8 ")`, `"hello"`},
		{"atob one pad", `atob("aGVsbG8")`, `"hello"`},
		{"atob bad length", `try { atob("a") } catch (e) { [e.name, e.code] }`, `["InvalidCharacterError",5]`},
		{"atob bad char", `try { atob("a*bc") } catch (e) { e.name }`, `"InvalidCharacterError"`},
		{"btoa outside latin1", `try { btoa("\u0100") } catch (e) { e.name }`, `"InvalidCharacterError"`},
		{"atob high bytes", `[...atob("gP8=")].map(c => c.charCodeAt(0))`, `[128,255]`},
		{"no argument", `atob()`, `throws TypeError: atob: one argument required`},
	})
}

func TestTextEncoding(t *testing.T) {
	r := newTestRoom(t, Options{})
	runCases(t, r, []jsCase{
		{"encode", `[...new TextEncoder().encode("aé€😀")]`, `[97,195,169,226,130,172,240,159,152,128]`},
		{"encode lone surrogate", `[...new TextEncoder().encode("\ud800x")]`, `[239,191,189,120]`},
		{"encode default", `new TextEncoder().encode().length`, `0`},
		{"encoding", `new TextEncoder().encoding`, `"utf-8"`},
		{"encodeInto counts UTF-16 units", `const d = new Uint8Array(6); const r = new TextEncoder().encodeInto("a😀é", d); [r.read, r.written, [...d]]`, `[3,5,[97,240,159,152,128,0]]`},
		{"encodeInto stops before a partial char", `const r = new TextEncoder().encodeInto("ab€", new Uint8Array(4)); [r.read, r.written]`, `[2,2]`},
		{"encodeInto needs Uint8Array", `new TextEncoder().encodeInto("a", new Uint16Array(2))`, `throws TypeError: TextEncoder.encodeInto: the destination must be a Uint8Array`},
		{"decode", `new TextDecoder().decode(new Uint8Array([104, 195, 169]))`, `"hé"`},
		{"decode ArrayBuffer and DataView", `const b = new Uint8Array([120, 121, 122]).buffer; [new TextDecoder().decode(b), new TextDecoder().decode(new DataView(b, 1))]`, `["xyz","yz"]`},
		{"decode nothing", `new TextDecoder().decode()`, `""`},
		{"strips BOM", `new TextDecoder().decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x41]))`, `"A"`},
		{"ignoreBOM keeps it", `new TextDecoder("utf-8", {ignoreBOM: true}).decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x41])).length`, `2`},
		{"maximal subpart replacement", `new TextDecoder().decode(new Uint8Array([0xf0, 0x9f, 0x98, 0x41, 0xc0, 0x80, 0xed, 0xa0, 0x80]))`, `"�A�����"`},
		{"fatal throws", `new TextDecoder("utf-8", {fatal: true}).decode(new Uint8Array([0xff]))`, `throws TypeError: The encoded data was not valid for encoding utf-8`},
		{"fatal attribute", `const d = new TextDecoder("UTF8", {fatal: true}); [d.fatal, d.ignoreBOM, d.encoding]`, `[true,false,"utf-8"]`},
		{"streaming split character", `const d = new TextDecoder(); [d.decode(new Uint8Array([0xe2, 0x82]), {stream: true}), d.decode(new Uint8Array([0xac]), {stream: true}), d.decode()]`, `["","€",""]`},
		{"streaming incomplete at end", `const d = new TextDecoder(); d.decode(new Uint8Array([0xe2]), {stream: true}) + "|" + d.decode()`, `"|�"`},
		{"streaming BOM only at start", `const d = new TextDecoder(); [d.decode(new Uint8Array([0xef, 0xbb]), {stream: true}), d.decode(new Uint8Array([0xbf, 0xef, 0xbb, 0xbf]), {stream: true}).length]`, `["",1]`},
		{"utf-16le", `const d = new TextDecoder("utf-16le"); [d.encoding, d.decode(new Uint8Array([0x41, 0, 0x3d, 0xd8, 0, 0xde]))]`, `["utf-16le","A😀"]`},
		{"latin1 label", `const d = new TextDecoder("latin1"); [d.encoding, d.decode(new Uint8Array([0xe9, 0x80]))]`, `["windows-1252","é€"]`},
		{"unknown label", `try { new TextDecoder("nope") } catch (e) { e.name }`, `"RangeError"`},
		{"decode needs a buffer", `new TextDecoder().decode("x")`, `throws TypeError: TextDecoder.decode: the input must be an ArrayBuffer or ArrayBufferView`},
	})
}

func TestURL(t *testing.T) {
	r := newTestRoom(t, Options{})
	runCases(t, r, []jsCase{
		{"parts", `const u = new URL("https://user:pw@Example.COM:8443/a/../b?x=1#frag"); [u.href, u.origin, u.protocol, u.username, u.password, u.host, u.hostname, u.port, u.pathname, u.search, u.hash]`,
			`["https://user:pw@example.com:8443/b?x=1#frag","https://example.com:8443","https:","user","pw","example.com:8443","example.com","8443","/b","?x=1","#frag"]`},
		{"base", `new URL("../c?q", "http://h/a/b/").href`, `"http://h/a/c?q"`},
		{"backslashes", `new URL("http:\\\\example.com\\a\\b").href`, `"http://example.com/a/b"`},
		{"trims", `new URL("  http://example.com/trim  ").href`, `"http://example.com/trim"`},
		{"ipv6 origin", `new URL("http://[::1]:8080/").origin`, `"http://[::1]:8080"`},
		{"bad port", `new URL("http://example.com:65536/")`, `throws TypeError: Invalid URL: "http://example.com:65536/"`},
		{"opaque origins", `[new URL("file:///x").origin, new URL("foo:bar").origin, new URL("blob:https://a.com/uuid").origin]`, `["null","null","https://a.com"]`},
		{"ipv4 normalisation", `new URL("http://0x7f.1/").host`, `"127.0.0.1"`},
		{"bad percent kept", `new URL("https://example.com/%7Efoo/%zz").pathname`, `"/%7Efoo/%zz"`},
		{"space in host", `URL.canParse("http://exa mple.com/")`, `false`},
		{"canParse and parse", `[URL.canParse("/x", "http://h"), URL.canParse("/x"), URL.parse("nope"), URL.parse("http://h/").href]`, `[true,false,null,"http://h/"]`},
		{"idna", `new URL("http://münchen.de/").host`, `"xn--mnchen-3ya.de"`},
		{"default port dropped", `new URL("https://h:443/").host`, `"h"`},
		{"searchParams mutation updates href", `const u = new URL("https://x.example/?q=1"); u.searchParams.append("r", "a b&c"); u.href`, `"https://x.example/?q=1&r=a+b%26c"`},
		{"search setter updates searchParams", `const u = new URL("https://x/?a=1"); const p = u.searchParams; u.search = "?b=2&b=3"; [p.getAll("b"), p.has("a"), u.searchParams === p]`, `[["2","3"],false,true]`},
		{"href setter", `const u = new URL("https://x/?a=1"); const p = u.searchParams; u.href = "http://y/p?z=9"; [u.host, p.get("z")]`, `["y","9"]`},
		{"bad href setter", `const u = new URL("https://x/"); u.href = "nope"`, `throws TypeError: Invalid URL: "nope"`},
		{"setters", `const u = new URL("http://h/p"); u.protocol = "https"; u.hostname = "k"; u.port = "99"; u.pathname = "a b"; u.hash = "h"; u.username = "me"; u.href`, `"https://me@k:99/a%20b#h"`},
		{"toJSON and String", `const u = new URL("http://h/x"); [JSON.stringify({u}), String(u), u + ""]`, `["{\"u\":\"http://h/x\"}","http://h/x","http://h/x"]`},
		{"javascript href", `new URL("javascript:alert(1)").href`, `"javascript:alert(1)"`},
		{"needs an argument", `new URL()`, `throws TypeError: URL constructor: the url argument is required`},
		{"URLSearchParams string", `const p = new URLSearchParams("?a=1&b=x+y&a=%20z&c"); [p.get("a"), p.getAll("a"), p.get("b"), p.get("c"), p.get("nope"), p.size, p.toString()]`, `["1",["1"," z"],"x y","",null,4,"a=1&b=x+y&a=+z&c="]`},
		{"URLSearchParams record and pairs", `[new URLSearchParams({x: "1", y: "é"}).toString(), new URLSearchParams([["k", "v"], ["k", "w"]]).toString()]`, `["x=1&y=%C3%A9","k=v&k=w"]`},
		{"URLSearchParams bad pair", `new URLSearchParams([["a"]])`, `throws TypeError: URLSearchParams: every pair must have exactly two items`},
		{"URLSearchParams ops", `const p = new URLSearchParams("b=2&a=1&b=3&c=4"); p.delete("b", "2"); p.set("c", "5"); const h = [p.has("b"), p.has("b", "2"), p.has("b", "3")]; p.sort(); [h, p.toString(), [...p.keys()], [...p.values()]]`, `[[true,false,true],"a=1&b=3&c=5",["a","b","c"],["1","3","5"]]`},
		{"URLSearchParams forEach", `const out = []; new URLSearchParams("a=1&b=2").forEach((v, k) => out.push(k + v)); out`, `["a1","b2"]`},
		{"URLSearchParams delete all", `const p = new URLSearchParams("a=1&a=2&b=3"); p.delete("a"); p.toString()`, `"b=3"`},
		{"URL tag", `Object.prototype.toString.call(new URL("http://h"))`, `"[object URL]"`},
	})
}

func TestNodeishGlobals(t *testing.T) {
	t.Setenv("GOPK_HOST_SECRET", "must-not-leak")
	r := newTestRoom(t, Options{ProcessEnv: map[string]string{"DOTENV_SECRET": "s3"}})
	runCases(t, r, []jsCase{
		{"process.env is only the project's", `[process.env.DOTENV_SECRET, process.env.GOPK_HOST_SECRET, process.env.PATH, Object.keys(process.env)]`, `["s3",null,null,["DOTENV_SECRET"]]`},
		{"process shape", `[process.version, typeof process.versions.node, process.cwd(), process.on("x", () => {}) === process]`, `["","undefined","/",true]`},
		{"nextTick", `new Promise(res => { const log = []; process.nextTick((a) => log.push(a), "tick"); log.push("sync"); setTimeout(() => res(log), 0); })`, `["sync","tick"]`},
		{"hrtime", `const [s, n] = process.hrtime(); [typeof s, n >= 0 && n < 1e9, typeof process.hrtime.bigint()]`, `["number",true,"bigint"]`},
		{"scheduler.wait", `const t0 = Date.now(); scheduler.wait(20).then(() => Date.now() - t0 >= 15)`, `true`},
		{"caches are a no-op cache", `(async () => [await caches.default.match("https://x/"), await caches.default.put("https://x/", new Response("a")), await (await caches.open("c")).delete("https://x/")])()`, `[null,null,false]`},
		{"navigator", `[navigator.userAgent, navigator.hardwareConcurrency]`, `["Cloudflare-Workers",1]`},
		{"Buffer basics", `const b = Buffer.from("héllo"); [b.length, b.toString("hex"), b.toString("base64"), Buffer.from("aGk=", "base64").toString(), Buffer.isBuffer(b), Buffer.isBuffer(new Uint8Array(1)), b instanceof Uint8Array]`, `[6,"68c3a96c6c6f","aMOpbGxv","hi",true,false,true]`},
		{"Buffer extras", `const b = Buffer.from("abcabc"); const s = b.slice(1, 3); s[0] = 120; [b.toString(), Buffer.byteLength("é"), b.indexOf("ca"), b.includes("zz"), Buffer.compare(Buffer.from("a"), Buffer.from("b")), JSON.stringify(Buffer.from([1, 2])), Buffer.concat([Buffer.from("x"), Buffer.from("y")]).toString(), Buffer.alloc(4, "ab").toString()]`, `["axcabc",2,2,false,-1,"{\"type\":\"Buffer\",\"data\":[1,2]}","xy","abab"]`},
		{"Buffer read/write", `const b = Buffer.alloc(8); b.writeUInt32BE(0xdeadbeef, 0); b.writeInt16LE(-2, 4); [b.readUInt32BE(0).toString(16), b.readInt16LE(4), b.readUInt8(0)]`, `["deadbeef",-2,222]`},
		{"Buffer encodings", `const b = Buffer.from("héllo\u20ac"); const w = Buffer.alloc(6); const n = w.write("hé", 1, "latin1"); const x = Buffer.alloc(4); x.write("ab", "utf16le"); let unk; try { Buffer.from("x", "nope") } catch (e) { unk = [e.name, e.code] } [b.toString("base64url"), Buffer.from("aMOpbGxv4oKs", "base64url").toString(), Buffer.from("_-8", "base64url").toString("hex"), Buffer.from("hé", "latin1").toString("hex"), Buffer.from([0x68, 0xe9]).toString("latin1"), Buffer.from([0x68, 0xe9]).toString("ascii"), Buffer.from("hé", "utf16le").toString("hex"), Buffer.from([0x68,0,0xe9,0]).toString("ucs2"), Buffer.from("ab", "UTF8").toString(), Buffer.byteLength("hé", "latin1"), Buffer.alloc(5, "aGk=", "base64").toString(), [n, w.toString("hex")], x.toString("hex"), unk, b.toString("base64url", 1, 3)]`, `["aMOpbGxv4oKs","héllo€","ffef","68e9","hé","hi","6800e900","hé","ab",2,"hihih",[2,"0068e9000000"],"61006200",["TypeError","ERR_UNKNOWN_ENCODING"],"w6k"]`},
		{"Buffer copy", `const a = Buffer.from("hello"), b = Buffer.alloc(3); [a.copy(b, 0, 1), b.toString()]`, `[3,"ell"]`},
	})
}

func TestURLPattern(t *testing.T) {
	r := newTestRoom(t, Options{})
	runCases(t, r, []jsCase{
		{"named groups", `const p = new URLPattern({pathname: "/parties/:party/:room"}); const m = p.exec("https://h.example/parties/main/r1?x"); [p.test("https://h.example/parties/main/r1"), m.pathname.groups, p.test("https://h.example/other")]`, `[true,{"party":"main","room":"r1"},false]`},
		{"non-ASCII name", `new URLPattern({pathname: "/:café"}).exec("https://h/x").pathname.groups`, `{"café":"x"}`},
		{"string with base and wildcard", `const p = new URLPattern("/api/*", "https://example.com"); [p.test("https://example.com/api/a/b"), p.exec("https://example.com/api/a/b").pathname.groups["0"], p.hostname]`, `[true,"a/b","example.com"]`},
		{"regexp group and optional", `const p = new URLPattern({pathname: "/item/:id(\\d+)/:tab?"}); [p.test({pathname: "/item/12"}), p.test({pathname: "/item/12/info"}), p.test({pathname: "/item/ab"})]`, `[true,true,false]`},
		{"bad pattern", `try { new URLPattern({pathname: "/(("}); "accepted" } catch (e) { e.name }`, `"TypeError"`},
	})
}
