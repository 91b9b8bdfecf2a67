// A real upstream OpenID Provider on loopback (oidc-provider, plain http) for federated sign-in
// tests: one confidential client whose redirect URIs the tests add as they make pools, accounts the
// tests define, and a login that needs no person (the interaction page signs in `nextAccount`, or
// answers the error the test asked for). The same server serves as a plain OAuth 2.0 provider (its
// /auth, /token and /me endpoints). For the refusal tests it can be slowed, rotate its signing key,
// and rewrite the ID token of its next token answer (re-signed with its own key, or another one).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, decodeJwt, decodeProtectedHeader, type JWK } from "jose";
import type { Adapter, AdapterPayload } from "oidc-provider";

export const UPSTREAM_CLIENT = { id: "idplane-rp", secret: "upstream-client-secret-value" };

export interface UpstreamAccount {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  preferred_username?: string;
  [claim: string]: unknown;
}

export interface Upstream {
  issuer: string;
  /** Adds our pool's callback URLs to the client's redirect URIs. */
  allowRedirects(...uris: string[]): void;
  /** Accepts every redirect URI starting with this (a docs example's pools, made as it runs). */
  allowRedirectPrefix(prefix: string): void;
  /** The account the next login signs in as, or an error the login answers with. */
  nextLogin: { account: UpstreamAccount } | { error: string };
  /** Query parameters of the latest authorization request the provider saw. */
  lastAuthorization: URLSearchParams | undefined;
  /** Delays every token answer by this many ms (0: none). */
  slowTokenMs: number;
  /** Rewrites the ID token of the next token answer: new claims, signed with the provider's key (or `foreignKey`). */
  tamperNextIdToken: ((claims: Record<string, unknown>) => Record<string, unknown>) | undefined;
  foreignKey: boolean;
  /** A new signing key (the old one stays published after it, as a provider rolling keys does). */
  rotateKeys(): Promise<void>;
  tokenRequests: number;
  close(): Promise<void>;
}

class MemoryAdapter implements Adapter {
  static store = new Map<string, AdapterPayload>();
  constructor(private readonly name: string) {}
  private key(id: string) {
    return `${this.name}:${id}`;
  }
  async upsert(id: string, payload: AdapterPayload) {
    MemoryAdapter.store.set(this.key(id), payload);
  }
  async find(id: string) {
    if (this.name === "Client") return clientFor(id);
    return MemoryAdapter.store.get(this.key(id));
  }
  async findByUid(uid: string) {
    for (const [k, v] of MemoryAdapter.store) if (k.startsWith(`${this.name}:`) && v.uid === uid) return v;
    return undefined;
  }
  async findByUserCode() {
    return undefined;
  }
  async consume(id: string) {
    const v = MemoryAdapter.store.get(this.key(id));
    if (v) v.consumed = Math.floor(Date.now() / 1000);
  }
  async destroy(id: string) {
    MemoryAdapter.store.delete(this.key(id));
  }
  async revokeByGrantId(grantId: string) {
    for (const [k, v] of MemoryAdapter.store) if (v.grantId === grantId) MemoryAdapter.store.delete(k);
  }
}

let redirectUris: string[] = [];
const redirectPrefixes: string[] = [];
function clientFor(id: string): AdapterPayload | undefined {
  if (id !== UPSTREAM_CLIENT.id) return undefined;
  return {
    client_id: UPSTREAM_CLIENT.id,
    client_secret: UPSTREAM_CLIENT.secret,
    redirect_uris: redirectUris.length ? redirectUris : ["http://127.0.0.1/none"],
    grant_types: ["authorization_code"],
    response_types: ["code"],
    token_endpoint_auth_method: "client_secret_basic",
    id_token_signed_response_alg: "RS256",
  };
}

async function newKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: `k-${Math.random().toString(36).slice(2, 10)}`, alg: "RS256", use: "sig" };
}

export async function startUpstream(): Promise<Upstream> {
  const { default: Provider } = await import("oidc-provider");
  const server: Server = createServer();
  const sockets = new Set<Socket>();
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let keys: JWK[] = [await newKey()];
  // Made now: an RSA key made while answering could outlast the service's outbound time limit on a busy machine.
  const foreign = await newKey();
  const accounts = new Map<string, UpstreamAccount>();

  const build = () => {
    const provider = new Provider(issuer, {
      adapter: MemoryAdapter as never,
      jwks: { keys: keys as never },
      // Every granted claim in the ID token too, so IsIdTokenMapping has something to map.
      conformIdTokenClaims: false,
      claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name", "preferred_username", "nickname"] },
      features: { devInteractions: { enabled: false } },
      pkce: { required: () => true },
      async findAccount(_ctx, sub) {
        const account = accounts.get(sub);
        if (!account) return undefined;
        return { accountId: sub, claims: async () => ({ ...account }) };
      },
      interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
      cookies: { keys: ["upstream-cookie-key"] },
      ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
    });
    const exact = provider.Client.prototype.redirectUriAllowed;
    provider.Client.prototype.redirectUriAllowed = function (this: unknown, uri: string) {
      return redirectPrefixes.some((p) => uri.startsWith(p)) || exact.call(this, uri);
    } as typeof exact;
    return { provider, callback: provider.callback() };
  };
  let current = build();

  const upstream: Upstream = {
    issuer,
    allowRedirects: (...uris) => {
      redirectUris = [...new Set([...redirectUris, ...uris])];
    },
    allowRedirectPrefix: (prefix) => {
      redirectPrefixes.push(prefix);
    },
    nextLogin: { error: "access_denied" },
    lastAuthorization: undefined,
    slowTokenMs: 0,
    tamperNextIdToken: undefined,
    foreignKey: false,
    tokenRequests: 0,
    async rotateKeys() {
      keys = [await newKey(), ...keys];
      current = build();
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };

  async function interaction(req: IncomingMessage, res: ServerResponse) {
    const { provider } = current;
    const details = await provider.interactionDetails(req, res);
    const login = upstream.nextLogin;
    if ("error" in login) {
      await provider.interactionFinished(
        req,
        res,
        { error: login.error, error_description: "the person said no" },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    accounts.set(login.account.sub, login.account);
    if (details.prompt.name === "login") {
      await provider.interactionFinished(req, res, { login: { accountId: login.account.sub } }, { mergeWithLastSubmission: false });
      return;
    }
    const grant = new provider.Grant({ accountId: details.session!.accountId, clientId: String(details.params.client_id) });
    grant.addOIDCScope(String(details.params.scope));
    await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
  }

  /** The token answer, with its ID token rewritten when a test asked for it. */
  async function tamperedToken(req: IncomingMessage, res: ServerResponse, tamper: (c: Record<string, unknown>) => Record<string, unknown>) {
    const chunks: Buffer[] = [];
    const write = res.write.bind(res);
    const end = res.end.bind(res);
    res.write = ((chunk: Buffer | string) => {
      chunks.push(Buffer.from(chunk));
      return true;
    }) as typeof res.write;
    res.end = ((chunk?: Buffer | string) => {
      if (chunk) chunks.push(Buffer.from(chunk));
      const raw = Buffer.concat(chunks).toString("utf8");
      const body = raw ? JSON.parse(raw) : {};
      void (async () => {
        if (body.id_token && tamper) {
          const header = decodeProtectedHeader(body.id_token);
          const key = upstream.foreignKey ? { ...foreign, kid: header.kid } : keys[0]!;
          const { importJWK } = await import("jose");
          body.id_token = await new SignJWT(tamper(decodeJwt(body.id_token) as Record<string, unknown>))
            .setProtectedHeader({ alg: "RS256", kid: header.kid! })
            .sign(await importJWK(key, "RS256"));
        }
        const text = JSON.stringify(body);
        res.setHeader("content-length", Buffer.byteLength(text));
        write(text);
        end();
      })();
      return res;
    }) as typeof res.end;
    await current.callback(req, res);
  }

  server.on("request", async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", issuer);
      if (url.pathname === "/auth") upstream.lastAuthorization = url.searchParams;
      if (url.pathname.startsWith("/interaction/")) return await interaction(req, res);
      if (url.pathname === "/token") {
        upstream.tokenRequests++;
        // Taken on arrival: a request still held by slowTokenMs must not take a later test's rewrite.
        const tamper = upstream.tamperNextIdToken;
        upstream.tamperNextIdToken = undefined;
        if (upstream.slowTokenMs) await new Promise((r) => setTimeout(r, upstream.slowTokenMs));
        if (tamper) return await tamperedToken(req, res, tamper);
      }
      await current.callback(req, res);
    } catch (err) {
      res.statusCode = 500;
      res.end(String(err));
    }
  });
  return upstream;
}
