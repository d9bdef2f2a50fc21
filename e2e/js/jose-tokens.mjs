// Mints the JWTs the jose test sends to testdata/jose, with the npm jose
// package: prints {secret, publicJwk, tokens} where publicJwk is the ES256
// verification key (JSON text) the server is given, and tokens maps a case
// name to a compact JWT. Claims: iss "gopk-e2e", aud "rooms", sub the user.
import * as jose from "jose";
import { finish } from "./lib.mjs";

const secret = jose.base64url.encode(crypto.getRandomValues(new Uint8Array(32)));
const hsKey = new TextEncoder().encode(secret);
const { publicKey, privateKey } = await jose.generateKeyPair("ES256", { extractable: true });
const other = await jose.generateKeyPair("ES256");

function sign(alg, key, sub, edit = (jwt) => jwt) {
  const jwt = new jose.SignJWT({ scope: "rooms:join" })
    .setProtectedHeader({ alg })
    .setIssuer("gopk-e2e")
    .setAudience("rooms")
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime("10m");
  return edit(jwt).sign(key);
}

const tokens = {
  hs256: await sign("HS256", hsKey, "alice"),
  es256: await sign("ES256", privateKey, "bob"),
  expired: await sign("HS256", hsKey, "carol", (jwt) => jwt.setIssuedAt(1_600_000_000).setExpirationTime(1_600_000_060)),
  wrongAudience: await sign("ES256", privateKey, "dave", (jwt) => jwt.setAudience("elsewhere")),
  otherSecret: await sign("HS256", new TextEncoder().encode("not the server's secret"), "erin"),
  otherKey: await sign("ES256", other.privateKey, "frank"),
};

finish({ secret, publicJwk: JSON.stringify(await jose.exportJWK(publicKey)), tokens });
