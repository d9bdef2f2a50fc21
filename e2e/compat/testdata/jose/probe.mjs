// Makes tokens on the client with jose, posts them, and checks what the room
// issues: random-output tokens are verified or decrypted here.
import * as jose from "jose";

const secret = new TextEncoder().encode("a-32-byte-secret-for-hs256-tests");
const encKey = jose.base64url.decode("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY");
const ecPublic = { kty: "EC", crv: "P-256", x: "SWhUgq7n0thjvE79RfMUlf0owub7KU3vpll050-tdbU", y: "x2Uj2dvjAI4Szxl_cEHjGr8rUQafu0N9OmI5_ydCAO8" };
const now = 1710511509;

export default async function (t) {
  const claims = { scope: "chat", name: "Ada ✓" };
  const sign = (alg, key, exp = now + 600) =>
    new jose.SignJWT(claims).setProtectedHeader({ alg }).setIssuer("gopk-client").setAudience("room").setIssuedAt(now).setExpirationTime(exp).sign(key);
  const ed = await jose.generateKeyPair("EdDSA", { extractable: true });
  const ecPrivate = await jose.importJWK({ ...ecPublic, d: "o0qDHyq9f8mlCfE62KEo8WA9_KnjW8ysT5rTorZsgaY" }, "ES256");
  const hs256 = await sign("HS256", secret);
  const tampered = hs256.slice(0, -3) + (hs256.endsWith("AAA") ? "BBB" : "AAA");
  const body = {
    now,
    hs256,
    es256: await sign("ES256", ecPrivate),
    eddsa: await sign("EdDSA", ed.privateKey),
    eddsaKey: await jose.exportJWK(ed.publicKey),
    expired: await sign("HS256", secret, now - 10),
    tampered,
    jwe: await new jose.CompactEncrypt(new TextEncoder().encode("hello room")).setProtectedHeader({ alg: "dir", enc: "A256GCM" }).encrypt(encKey),
  };
  const out = await t.json("/parties/main/jose", body);
  if (!out.issuedES256) return out;
  const verifyHere = async (f) => {
    try {
      return await f();
    } catch (err) {
      return { error: err.code ?? err.name };
    }
  };
  // The EdDSA key is new on every run: keep only what does not depend on it.
  if (out.eddsa?.ok) out.eddsa.ok = { payload: out.eddsa.ok.payload, alg: out.eddsa.ok.protectedHeader.alg };
  out.issuedES256 = await verifyHere(async () => {
    const { payload, protectedHeader } = await jose.jwtVerify(out.issuedES256, await jose.importJWK(ecPublic, "ES256"), { currentDate: new Date(now * 1000) });
    return { payload, protectedHeader };
  });
  out.issuedJWE = await verifyHere(async () => new TextDecoder().decode((await jose.compactDecrypt(out.issuedJWE, encKey)).plaintext));
  return out;
}
