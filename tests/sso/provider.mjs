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
// A person is their email address; addresses starting "unverified" come with email_verified false.
// POST /__test__/person with "SUBJECT|EMAIL|VERIFIED" makes the login SUBJECT that person: that
// address (none if empty) and email_verified "true", "false" or "absent" (left out, as Entra ID does).
//
// To prove that orderctl refuses bad ID tokens, POST /__test__/mode with a body of one word changes what
// the token endpoint returns from then on: "normal", "tampered" (a claim changed after signing, so the
// signature no longer matches), "wrong-audience" (a token correctly signed by this provider, but for
// another client), "no-acr" (a correct token that states no assurance level) or "expired" (a correct
// token whose expiry passed an hour ago). POST /__test__/rotate replaces the signing key with a new one
// (a new kid): the keys at jwks_uri are then the new one alone, and tokens are signed with it.
// POST_LOGOUT_REDIRECT_URI, if set, is where RP-initiated sign-out may return to.
import crypto from "node:crypto";
import Provider from "oidc-provider";

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const clientId = process.env.CLIENT_ID;
const rpKey = JSON.parse(process.env.RP_PUBLIC_JWK);

const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: "jwk" }), kid: "test-provider-key", alg: "RS256", use: "sig" };
// The key tokens leave with (re-signed below) and the one jwks_uri lists: rotated by /__test__/rotate.
let current = { privateKey, kid: "test-provider-key" };
let rotations = 0;

function publicJwks() {
  const { n, e, kty } = crypto.createPublicKey(current.privateKey).export({ format: "jwk" });
  return { keys: [{ kty, n, e, kid: current.kid, alg: "RS256", use: "sig" }] };
}

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      redirect_uris: [process.env.REDIRECT_URI],
      post_logout_redirect_uris: process.env.POST_LOGOUT_REDIRECT_URI ? [process.env.POST_LOGOUT_REDIRECT_URI] : [],
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
        if (!people.has(id)) return { sub: id, email: id, email_verified: !id.startsWith("unverified") };
        const [sub, email, verified] = people.get(id);
        const claims = { sub };
        if (email) claims.email = email;
        if (verified === "true" || verified === "false") claims.email_verified = verified === "true";
        return claims;
      },
    };
  },
});
provider.proxy = false;

function b64url(data) {
  return Buffer.from(data).toString("base64url");
}

function resign(idToken, changes, drop = []) {
  const [, payload] = idToken.split(".");
  const claims = { ...JSON.parse(Buffer.from(payload, "base64url")), ...changes };
  for (const name of drop) delete claims[name];
  const header = { alg: "RS256", typ: "JWT", kid: current.kid };
  const body = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  return `${body}.${crypto.sign("RSA-SHA256", Buffer.from(body), current.privateKey).toString("base64url")}`;
}

function tamper(idToken) {
  const [header, payload, signature] = idToken.split(".");
  const claims = { ...JSON.parse(Buffer.from(payload, "base64url")), email: "admin@example.com" };
  return `${header}.${b64url(JSON.stringify(claims))}.${signature}`;
}

let mode = "normal";
const people = new Map();
provider.use(async (ctx, next) => {
  if (ctx.path === "/__test__/mode" && ctx.method === "POST") {
    let body = "";
    for await (const chunk of ctx.req) body += chunk;
    mode = body.trim();
    ctx.body = `mode ${mode}\n`;
    return;
  }
  if (ctx.path === "/__test__/person" && ctx.method === "POST") {
    let body = "";
    for await (const chunk of ctx.req) body += chunk;
    const person = body.trim().split("|");
    people.set(person[0], person);
    ctx.body = `person ${person[0]}\n`;
    return;
  }
  if (ctx.path === "/__test__/rotate" && ctx.method === "POST") {
    rotations += 1;
    current = {
      privateKey: crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey,
      kid: `rotated-key-${rotations}`,
    };
    ctx.body = `kid ${current.kid}\n`;
    return;
  }
  await next();
  if (ctx.path === "/jwks" && ctx.status === 200) {
    ctx.body = publicJwks();
    return;
  }
  if (ctx.path === "/token" && ctx.status === 200 && ctx.body && ctx.body.id_token) {
    const acr = { acr: process.env.ACR };
    const now = Math.floor(Date.now() / 1000);
    let idToken = ctx.body.id_token;
    if (mode === "no-acr") idToken = resign(idToken, {}, ["acr"]);
    else idToken = resign(idToken, acr);
    if (mode === "expired") idToken = resign(idToken, { iat: now - 7200, exp: now - 3600 });
    if (mode === "tampered") idToken = tamper(idToken);
    if (mode === "wrong-audience") idToken = resign(idToken, { aud: "another-client" });
    ctx.body = { ...ctx.body, id_token: idToken };
  }
});

provider.listen(port, "127.0.0.1", () => {
  console.log("ready");
});
