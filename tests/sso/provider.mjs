// A real OpenID provider for the single sign-on tests: the npm package oidc-provider, on 127.0.0.1.
//
// Started by tests/sso/conftest.py with, in the environment:
//   PORT            the port to listen on (a free one the test picked)
//   CLIENT_ID       the relying party's client id
//   REDIRECT_URI    its callback (the live test server's /accounts/sso/callback/)
//   RP_PUBLIC_JWK   the public half of the key orderctl signs its private_key_jwt assertions with
//   ACR             the assurance level its ID tokens state (the built-in pages set none: they stand in
//                   for Login.gov's own, so the token is re-signed with it)
// It prints "ready" on a line of its own once it listens.
//
// The client authenticates with private_key_jwt and PKCE is required, as Login.gov requires both. The
// built-in development pages ask for any login (type the email address to sign in as) and a consent.
// A person is their email address; addresses starting "unverified" come without email_verified.
//
// To prove that orderctl refuses bad ID tokens, POST /__test__/mode with a body of one word changes what
// the token endpoint returns from then on: "normal", "tampered" (a claim changed after signing, so the
// signature no longer matches), "wrong-audience" (a token correctly signed by this provider, but for
// another client) or "no-acr" (a correct token that states no assurance level).
import crypto from "node:crypto";
import Provider from "oidc-provider";

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const clientId = process.env.CLIENT_ID;
const rpKey = JSON.parse(process.env.RP_PUBLIC_JWK);

const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: "jwk" }), kid: "test-provider-key", alg: "RS256", use: "sig" };

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      redirect_uris: [process.env.REDIRECT_URI],
      response_types: ["code"],
      grant_types: ["authorization_code"],
      token_endpoint_auth_method: "private_key_jwt",
      token_endpoint_auth_signing_alg: "RS256",
      id_token_signed_response_alg: "RS256",
      jwks: { keys: [{ ...rpKey, use: "sig", alg: "RS256" }] },
    },
  ],
  jwks: { keys: [signingKey] },
  pkce: { required: () => true },
  claims: { openid: ["sub"], email: ["email", "email_verified"] },
  acrValues: ["urn:acr.login.gov:auth-only", "urn:acr.login.gov:verified"],
  features: { devInteractions: { enabled: true } },
  cookies: { keys: [crypto.randomBytes(32).toString("hex")] },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: id, email_verified: !id.startsWith("unverified") };
      },
    };
  },
});
provider.proxy = false;

function b64url(data) {
  return Buffer.from(data).toString("base64url");
}

function resign(idToken, changes) {
  const [header, payload] = idToken.split(".");
  const claims = { ...JSON.parse(Buffer.from(payload, "base64url")), ...changes };
  const body = `${header}.${b64url(JSON.stringify(claims))}`;
  return `${body}.${crypto.sign("RSA-SHA256", Buffer.from(body), privateKey).toString("base64url")}`;
}

function tamper(idToken) {
  const [header, payload, signature] = idToken.split(".");
  const claims = { ...JSON.parse(Buffer.from(payload, "base64url")), email: "admin@example.com" };
  return `${header}.${b64url(JSON.stringify(claims))}.${signature}`;
}

let mode = "normal";
provider.use(async (ctx, next) => {
  if (ctx.path === "/__test__/mode" && ctx.method === "POST") {
    let body = "";
    for await (const chunk of ctx.req) body += chunk;
    mode = body.trim();
    ctx.body = `mode ${mode}\n`;
    return;
  }
  await next();
  if (ctx.path === "/token" && ctx.status === 200 && ctx.body && ctx.body.id_token) {
    const acr = { acr: process.env.ACR };
    let idToken = ctx.body.id_token;
    if (mode !== "no-acr") idToken = resign(idToken, acr);
    if (mode === "tampered") idToken = tamper(idToken);
    if (mode === "wrong-audience") idToken = resign(idToken, { aud: "another-client" });
    ctx.body = { ...ctx.body, id_token: idToken };
  }
});

provider.listen(port, "127.0.0.1", () => {
  console.log("ready");
});
