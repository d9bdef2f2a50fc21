// Drives the Hono router with real HTTP requests; status, the headers Hono
// sets, and bodies are compared.
const keep = ["content-type", "x-room", "access-control-allow-origin", "access-control-allow-methods", "access-control-expose-headers", "vary", "etag", "set-cookie", "www-authenticate", "x-frame-options", "x-content-type-options", "strict-transport-security", "referrer-policy", "cross-origin-opener-policy"];

export default async function (t) {
  const base = "/parties/main/hono-room";
  const requests = {
    root: [base + "/"],
    "user by id": [base + "/api/users/42?q=x&tag=a&tag=b"],
    "user by name": [base + "/api/users/J%C3%BCrgen%20%F0%9F%98%80"],
    wildcard: [base + "/api/files/a/b/c.txt"],
    "optional param": [base + "/api/posts/2024"],
    "optional param set": [base + "/api/posts/2024/hello-world"],
    "regexp param miss": [base + "/api/posts/24/x"],
    "json post": [base + "/api/echo", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text: "grüße 😀", n: 41 }) }],
    "json post invalid": [base + "/api/echo", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text: 1 }) }],
    "form post": [base + "/api/form", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "a=1&b=two+words&c=%E2%9C%93" }],
    "cors preflight": [base + "/api/echo", { method: "OPTIONS", headers: { origin: "https://b.example", "access-control-request-method": "POST" } }],
    "cors other origin": [base + "/api/users/1", { headers: { origin: "https://evil.example" } }],
    "pretty json": [base + "/api/users/7?pretty"],
    page: [base + "/page/Ada", { headers: { cookie: "visits=2" } }],
    "page etag": [base + "/page/Ada", { headers: { cookie: "visits=2", "if-none-match": 'W/"x"' } }],
    "admin no auth": [base + "/admin/stats"],
    "admin auth": [base + "/admin/stats", { headers: { authorization: "Basic " + Buffer.from("ada:lovelace").toString("base64") } }],
    teapot: [base + "/teapot"],
    error: [base + "/boom"],
    "not found": [base + "/nope/x"],
  };
  const out = {};
  for (const [name, [path, init]] of Object.entries(requests)) {
    const res = await t.fetch(path, init);
    const headers = {};
    for (const h of keep) if (res.headers.get(h) !== null) headers[h] = res.headers.get(h);
    const text = await res.text();
    out[name] = { status: res.status, headers, body: text };
  }
  return out;
}
