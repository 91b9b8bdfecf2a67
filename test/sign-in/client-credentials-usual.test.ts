// The token endpoint's usual client_credentials request is answered beside oidc-provider
// (src/sign-in/client-credentials.ts); every other request, and every refusal, by the library. Each
// case sends the same form twice: as services do, and with a query parameter the library ignores,
// which keeps the request from our side. The two answers must agree (status, members, the token's
// header and claims, content type, caching, challenge), and the request log says which side
// answered each, so a case cannot pass by both going to the library.
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestService, type TestService } from "../support/harness.js";
import { signInFixture, type SignInFixture } from "../support/sign-in.js";

let svc: TestService;
let f: SignInFixture;

beforeAll(async () => {
  svc = await startTestService();
  f = await signInFixture(svc, { pool: { CustomScopes: ["api.read", "api.write"] } });
}, 60_000);
afterAll(() => svc?.close());

/** How many token answers the log says were ours. */
const oursSoFar = () => svc.logs.filter((l) => l.includes('"endpoint":"token"') && l.includes('"answeredBy":"idplane"')).length;

interface Answer {
  status: number;
  body: Record<string, unknown>;
  contentType: string | null;
  cacheControl: string | null;
  challenge: string | null;
  ours: boolean;
}

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString("base64")}`;

interface TokenRequest {
  form: string;
  headers?: Record<string, string>;
  fx?: SignInFixture;
}

async function token({ form, headers = {}, fx = f }: TokenRequest, query = ""): Promise<Answer> {
  const before = oursSoFar();
  const res = await fetch(`${fx.issuer}/oauth2/token${query}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: form,
  });
  const text = await res.text();
  return {
    status: res.status,
    body: JSON.parse(text) as Record<string, unknown>,
    contentType: res.headers.get("content-type"),
    cacheControl: res.headers.get("cache-control"),
    challenge: res.headers.get("www-authenticate"),
    ours: oursSoFar() > before,
  };
}

/** The usual request's answer and the library's for the same form, with who answered each. */
async function both(req: TokenRequest) {
  const usual = await token(req);
  const library = await token(req, "?answered=by-the-library");
  expect(library.ours).toBe(false);
  return { usual, library };
}

/** The request is not ours: the library answers it, as it does when asked directly. */
async function libraryAnswers(req: TokenRequest, status: number) {
  const { usual, library } = await both(req);
  expect(usual.ours).toBe(false);
  expect(usual.status, JSON.stringify(usual.body)).toBe(status);
  if (status !== 200) expect(usual).toEqual(library);
  else expect(Object.keys(usual.body).sort()).toEqual(Object.keys(library.body).sort());
  return usual;
}

async function poolKeys(fx: SignInFixture) {
  return createLocalJWKSet((await (await fetch(`${fx.issuer}/.well-known/jwks.json`)).json()) as JSONWebKeySet);
}

/** Two successful answers are the same but for the token's id and times. */
async function sameIssue(fx: SignInFixture, ours: Answer, theirs: Answer) {
  expect(ours.status).toBe(200);
  expect(ours.ours).toBe(true);
  const { access_token: a, ...ourRest } = ours.body;
  const { access_token: b, ...theirRest } = theirs.body;
  expect(ourRest).toEqual(theirRest);
  expect(Object.keys(ours.body)).toEqual(Object.keys(theirs.body));
  expect([ours.contentType, ours.cacheControl, ours.challenge]).toEqual([theirs.contentType, theirs.cacheControl, theirs.challenge]);
  expect(decodeProtectedHeader(a as string)).toEqual(decodeProtectedHeader(b as string));
  const [mine, libraries] = [decodeJwt(a as string), decodeJwt(b as string)];
  expect(Object.keys(mine).sort()).toEqual(Object.keys(libraries).sort());
  const { jti, iat, exp, ...claims } = mine;
  const { jti: theirJti, iat: theirIat, exp: theirExp, ...theirClaims } = libraries;
  expect(claims).toEqual(theirClaims);
  expect(exp! - iat!).toBe(theirExp! - theirIat!);
  expect(Math.abs(iat! - theirIat!)).toBeLessThan(60);
  expect(jti).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(jti).not.toBe(theirJti);
  // Both verify against the pool's published keys as RFC 9068 access tokens.
  const keys = await poolKeys(fx);
  for (const t of [a, b]) await jwtVerify(t as string, keys, { issuer: fx.issuer, audience: fx.issuer, typ: "at+jwt" });
}

describe("the usual client_credentials request", () => {
  it.each([
    ["Basic, one API scope", "grant_type=client_credentials&scope=api.read", true],
    ["Basic, two API scopes", "grant_type=client_credentials&scope=api.write%20api.read", true],
    ["Basic, an API scope twice, an unknown one and openid", "grant_type=client_credentials&scope=api.read+nope+api.read+openid", true],
    ["Basic, no scope", "grant_type=client_credentials", true],
    ["Basic, only unknown scopes", "grant_type=client_credentials&scope=nope", true],
    ["client_secret_post", "grant_type=client_credentials&scope=api.read", false],
  ])("is answered beside the library with the library's answer: %s", async (_name, form, useBasic) => {
    const req: TokenRequest = useBasic
      ? { form, headers: { authorization: basic(f.clientId, f.clientSecret) } }
      : { form: `${form}&client_id=${f.clientId}&client_secret=${encodeURIComponent(f.clientSecret)}` };
    const { usual, library } = await both(req);
    await sameIssue(f, usual, library);
    expect(usual.body.token_type).toBe("Bearer");
    expect(decodeJwt(usual.body.access_token as string)).toMatchObject({ sub: f.clientId, client_id: f.clientId, iss: f.issuer });
  });

  it("gives tokens that introspection describes as the library's", async () => {
    const { usual, library } = await both({
      form: "grant_type=client_credentials&scope=api.read",
      headers: { authorization: basic(f.clientId, f.clientSecret) },
    });
    const introspect = async (t: unknown) =>
      (await (
        await fetch(`${f.issuer}/oauth2/introspect`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded", authorization: basic(f.clientId, f.clientSecret) },
          body: `token=${t}`,
        })
      ).json()) as Record<string, unknown>;
    const [ours, theirs] = [await introspect(usual.body.access_token), await introspect(library.body.access_token)];
    expect(ours.active).toBe(true);
    expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
    expect({ ...ours, jti: 0, iat: 0, exp: 0 }).toEqual({ ...theirs, jti: 0, iat: 0, exp: 0 });
  });

  it("leaves every refusal to the library, which answers it as before", async () => {
    const form = "grant_type=client_credentials&scope=api.read";
    const auth = (id: string, secret: string) => ({ form, headers: { authorization: basic(id, secret) } });
    await libraryAnswers(auth(f.clientId, `${f.clientSecret}x`), 401);
    await libraryAnswers(auth(f.clientId, ""), 400);
    await libraryAnswers(auth("no-such-client", f.clientSecret), 401);
    await libraryAnswers({ form: `${form}&client_id=${f.clientId}&client_secret=wrong` }, 401);
    await libraryAnswers({ form }, 400);
    // Another pool's client, with its own right secret.
    const other = await signInFixture(svc);
    await libraryAnswers(auth(other.clientId, other.clientSecret), 401);
    // A public client may not use the grant.
    const spa = await signInFixture(svc, { clientType: "SPA" });
    await libraryAnswers({ form: `${form}&client_id=${spa.clientId}`, fx: spa }, 400);
    // A pool without custom scopes has no API to issue tokens for.
    const bare = await signInFixture(svc, { pool: { CustomScopes: [] } });
    await libraryAnswers({ ...auth(bare.clientId, bare.clientSecret), form: "grant_type=client_credentials", fx: bare }, 400);
    // A parameter twice, an empty one, a scope with a character the syntax forbids.
    await libraryAnswers({ ...auth(f.clientId, f.clientSecret), form: `${form}&grant_type=client_credentials` }, 400);
    await libraryAnswers({ ...auth(f.clientId, f.clientSecret), form: `${form}&scope=` }, 400);
    await libraryAnswers({ ...auth(f.clientId, f.clientSecret), form: "grant_type=client_credentials&scope=api.read%22" }, 400);
    // Both ways of authenticating at once.
    await libraryAnswers({ ...auth(f.clientId, f.clientSecret), form: `${form}&client_secret=${encodeURIComponent(f.clientSecret)}` }, 400);
  });

  it("leaves the rarer shapes to the library, which answers them as before", async () => {
    const form = "grant_type=client_credentials&scope=api.read";
    const headers = { authorization: basic(f.clientId, f.clientSecret) };
    await libraryAnswers({ form: `${form}&resource=${encodeURIComponent(f.issuer)}`, headers }, 200);
    await libraryAnswers({ form: `${form}&client_id=${f.clientId}`, headers }, 200);
    await libraryAnswers({ form, headers: { authorization: headers.authorization.replace("Basic", "basic") } }, 200);
    // A cross-origin request (here from an origin the client does not list: the library's CORS refusal).
    await libraryAnswers({ form, headers: { ...headers, origin: "https://elsewhere.example.com" } }, 400);
    await libraryAnswers({ form: `${form}&unknown=1`, headers }, 200);
    await libraryAnswers({ form, headers: { ...headers, "content-type": "application/x-www-form-urlencoded; charset=latin1" } }, 200);
  });

  it("sees a client deleted, a secret reset, a pool disabled or deleted after its first answer at once", async () => {
    const fx = await signInFixture(svc);
    const req = (secret = fx.clientSecret): TokenRequest => ({
      form: "grant_type=client_credentials&scope=api.read",
      headers: { authorization: basic(fx.clientId, secret) },
      fx,
    });
    expect((await token(req())).ours).toBe(true);

    const reset = await svc.ok("UpdateUserPoolClient", { UserPoolUid: fx.poolUid, ClientUid: fx.clientId, ResetSecret: true });
    await libraryAnswers(req(), 401);
    expect((await token(req(reset.ClientSecret))).ours).toBe(true);

    await svc.ok("UpdateEnableUserPool", { UserPoolUid: fx.poolUid, Enabled: false });
    const disabled = await token(req(reset.ClientSecret));
    expect(disabled).toMatchObject({
      status: 401,
      ours: false,
      body: { error: "invalid_client", error_description: "the user pool is disabled" },
    });
    await svc.ok("UpdateEnableUserPool", { UserPoolUid: fx.poolUid, Enabled: true });
    expect((await token(req(reset.ClientSecret))).ours).toBe(true);

    await svc.ok("DeleteUserPoolClient", { UserPoolUid: fx.poolUid, ClientUid: fx.clientId });
    await libraryAnswers(req(reset.ClientSecret), 401);

    const gone = await signInFixture(svc);
    const goneReq: TokenRequest = {
      form: "grant_type=client_credentials",
      headers: { authorization: basic(gone.clientId, gone.clientSecret) },
      fx: gone,
    };
    expect((await token(goneReq)).ours).toBe(true);
    await svc.ok("DeleteUserPool", { UserPoolUid: gone.poolUid });
    expect(await token(goneReq)).toMatchObject({
      status: 404,
      ours: false,
      body: { error: "invalid_request", error_description: "no such user pool" },
    });
  });
});
