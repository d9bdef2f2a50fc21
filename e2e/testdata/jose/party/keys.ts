import * as jose from "jose";

// The keys a token may be signed with: an HS256 shared secret and an ES256
// public key (a JWK), both given to the server as vars.
export function keyFor(env: Record<string, unknown>) {
  return async (header: jose.JWTHeaderParameters) => {
    switch (header.alg) {
      case "HS256":
        return new TextEncoder().encode(env.JWT_SECRET as string);
      case "ES256":
        return jose.importJWK(JSON.parse(env.ES256_PUBLIC_JWK as string), "ES256");
      default:
        throw new Error(`no key for alg ${header.alg}`);
    }
  };
}

export const verifyOptions: jose.JWTVerifyOptions = {
  algorithms: ["HS256", "ES256"],
  issuer: "gopk-e2e",
  audience: "rooms",
};

// verify checks the token and returns who it is for and how it was signed.
export async function verify(token: string, env: Record<string, unknown>) {
  const { payload, protectedHeader } = await jose.jwtVerify(token, keyFor(env), verifyOptions);
  return { user: payload.sub ?? "", alg: protectedHeader.alg };
}
