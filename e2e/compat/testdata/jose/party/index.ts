// Tokens with jose on crypto.subtle: the room verifies the client's JWTs
// (HS256, ES256, EdDSA), decrypts its JWE, and issues tokens of its own.
// HS256 signatures are deterministic and compared as they are; ES256 and
// JWE output is random, so the client verifies or decrypts it instead.
import type * as Party from "partykit/server";
import * as jose from "jose";

// Test keys, made for this fixture only.
const ecPrivate = {
  kty: "EC", crv: "P-256",
  x: "SWhUgq7n0thjvE79RfMUlf0owub7KU3vpll050-tdbU",
  y: "x2Uj2dvjAI4Szxl_cEHjGr8rUQafu0N9OmI5_ydCAO8",
  d: "o0qDHyq9f8mlCfE62KEo8WA9_KnjW8ysT5rTorZsgaY",
};
const secret = new TextEncoder().encode("a-32-byte-secret-for-hs256-tests");
const encKey = jose.base64url.decode("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY");

async function attempt<T>(f: () => Promise<T>) {
  try {
    return { ok: await f() };
  } catch (err: any) {
    return { error: err?.code ?? err?.name, message: err?.message };
  }
}

export default class JoseParty implements Party.Server {
  constructor(readonly room: Party.Room) {}

  async onRequest(req: Party.Request) {
    const body = (await req.json()) as { hs256: string; es256: string; eddsa: string; eddsaKey: jose.JWK; jwe: string; expired: string; tampered: string; now: number };
    const ecKey = await jose.importJWK(ecPrivate, "ES256");
    const { d: _, ...ecPublicJwk } = ecPrivate;
    const ecPublic = await jose.importJWK(ecPublicJwk, "ES256");
    const opts = { issuer: "gopk-client", audience: "room", currentDate: new Date(body.now * 1000) };

    const out: Record<string, unknown> = {
      hs256: await attempt(async () => jose.jwtVerify(body.hs256, secret, opts)),
      es256: await attempt(async () => jose.jwtVerify(body.es256, ecPublic, opts)),
      eddsa: await attempt(async () => jose.jwtVerify(body.eddsa, await jose.importJWK(body.eddsaKey, "EdDSA"), opts)),
      expired: await attempt(async () => jose.jwtVerify(body.expired, secret, opts)),
      tampered: await attempt(async () => jose.jwtVerify(body.tampered, secret, opts)),
      jwe: await attempt(async () => {
        const { plaintext, protectedHeader } = await jose.compactDecrypt(body.jwe, encKey);
        return { plaintext: new TextDecoder().decode(plaintext), protectedHeader };
      }),
      decoded: jose.decodeJwt(body.hs256),
      header: jose.decodeProtectedHeader(body.es256),
      thumbprint: await jose.calculateJwkThumbprint(ecPublicJwk),
      exportedPublic: await jose.exportJWK(ecPublic),
    };
    const claims = { sub: "room-" + this.room.id, scope: ["read", "write"], n: 42, emoji: "😀" };
    out.issuedHS256 = await new jose.SignJWT(claims)
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setIssuedAt(body.now)
      .setIssuer("gopk-room")
      .setAudience("client")
      .setExpirationTime(body.now + 3600)
      .sign(secret);
    out.issuedES256 = await new jose.SignJWT(claims).setProtectedHeader({ alg: "ES256", kid: "room" }).setIssuedAt(body.now).sign(ecKey);
    out.issuedJWE = await new jose.CompactEncrypt(new TextEncoder().encode("sealed by the room 🔒")).setProtectedHeader({ alg: "dir", enc: "A256GCM" }).encrypt(encKey);
    out.issuedFlattened = await new jose.FlattenedSign(new TextEncoder().encode("payload")).setProtectedHeader({ alg: "HS512" }).sign(new Uint8Array(64).fill(7));
    return Response.json(out);
  }
}
