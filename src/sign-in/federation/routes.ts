// Federated sign-in's three legs, for every protocol (app.ts routes them here):
//
//   start     GET <issuer>/interaction/<uid>/federate/<connection>[?mode=signup]: from the sign-in
//             page's "Sign in with <name>" (or straight from the page for idp_hint and a
//             SoleProviderConnection): state chosen and stored, the browser bound by a cookie, and
//             sent to the provider.
//   callback  <issuer>/callback/{oauth,oidc,saml}/{login,signup}: the provider's answer. The state
//             is claimed (once, for this browser), the answer verified by the protocol module, the
//             user found, linked or created (users.ts); then back to the interaction.
//   finish    GET <issuer>/interaction/<uid>/federated: the interaction's own cookie is there (its
//             path is the interaction's), so oidc-provider's session is made here and the client's
//             authorization request resumes.
//
// A failure at any leg is a page saying what happened with a way back to the sign-in page (when
// the request is still known), never a 500; the log names the pool, the connection and the reason,
// never a code, token, assertion or cookie.
import type { IdentityProviderRow } from "../../identity-providers/queries.js";
import { findIdentityProvider } from "../../identity-providers/queries.js";
import { fill, pickStrings, type Strings } from "../pages/i18n.js";
import { errorPage } from "../pages/forms.js";
import type { Page } from "../pages/layout.js";
import type { PoolProvider } from "../providers.js";
import type { SignInDeps } from "../provider.js";
import type { SignInContext as Ctx } from "../request-info.js";
import { oauthProtocol } from "./oauth.js";
import { oidcProtocol } from "./oidc.js";
import { FederationFailure, type FederationFailureReason, type FederationMode, type FederationProtocolName } from "./profile.js";
import type { FederationProtocol } from "./protocol.js";
import { samlProtocol } from "./saml.js";
import * as states from "./state.js";
import { completeFederatedSignIn } from "./users.js";

const PROTOCOLS: Record<FederationProtocolName, FederationProtocol | undefined> = {
  oauth: oauthProtocol,
  oidc: oidcProtocol,
  saml: samlProtocol,
};
const PROTOCOL_OF = { OAUTH: "oauth", OIDC: "oidc", SAML: "saml" } as const;

export { IDP_HINT_PARAMETER } from "../provider.js";

/** The page and status of each refusal; `name` is the connection's. */
const FAILURE_PAGES: Record<FederationFailureReason, { status: number; text: (t: Strings) => string }> = {
  provider_error: { status: 400, text: (t) => t.fedProviderError },
  provider_unavailable: { status: 502, text: (t) => t.fedUnavailable },
  state: { status: 400, text: (t) => t.fedState },
  invalid_response: { status: 400, text: (t) => t.fedInvalid },
  email_conflict: { status: 409, text: (t) => t.fedEmailConflict },
  signup_closed: { status: 403, text: (t) => t.fedSignUpClosed },
  connection_disabled: { status: 403, text: (t) => t.fedDisabled },
  identity_disabled: { status: 403, text: (t) => t.fedIdentityDisabled },
  user_disabled: { status: 403, text: (t) => t.fedUserDisabled },
  missing_claim: { status: 400, text: (t) => t.fedMissingClaim },
};

const send = (c: Ctx, page: Page) => c.body(page.body, page.status as 200, page.headers);
const issuerPath = (pp: PoolProvider) => new URL(pp.snapshot.issuer).pathname;
export const interactionPath = (pp: PoolProvider, uid: string) => `${issuerPath(pp)}/interaction/${encodeURIComponent(uid)}`;
export const callbackUrl = (issuer: string, protocol: FederationProtocolName, mode: FederationMode) =>
  `${issuer}/callback/${protocol}/${mode}`;

/** A pool's connections as the sign-in page shows them. */
export interface PageConnection {
  uid: string;
  name: string;
  type: string;
  sole: boolean;
}

/** The pool's enabled connections, oldest first, and whether the pool takes sign-ups. */
export async function pageConnections(deps: Pick<SignInDeps, "db">, pp: PoolProvider) {
  const { accountId, poolUid } = pp.snapshot;
  const [rows, pool] = await Promise.all([
    deps.db
      .selectFrom("identity_providers")
      .select(["uid", "name", "connection_type", "sole_provider_connection"])
      .where("account_id", "=", accountId)
      .where("user_pool_uid", "=", poolUid)
      .where("enabled", "=", true)
      .orderBy("created_at")
      .orderBy("uid")
      .limit(50)
      .execute(),
    deps.db
      .selectFrom("user_pools")
      .select("self_sign_up_enabled")
      .where("account_id", "=", accountId)
      .where("uid", "=", poolUid)
      .executeTakeFirst(),
  ]);
  const connections: PageConnection[] = rows.map((r) => ({
    uid: r.uid,
    name: r.name,
    type: r.connection_type,
    sole: r.sole_provider_connection,
  }));
  return { connections, signUp: pool?.self_sign_up_enabled === true };
}

/** The connection an idp_hint names (by Uid, else by Name case-insensitively), or a SoleProviderConnection. */
export function directConnection(connections: PageConnection[], hint: unknown): PageConnection | undefined {
  if (typeof hint === "string" && hint !== "" && hint.length <= 256) {
    const named = connections.find((c) => c.uid === hint) ?? connections.find((c) => c.name.toLowerCase() === hint.toLowerCase());
    if (named) return named;
  }
  return connections.find((c) => c.sole);
}

type Details = Awaited<ReturnType<PoolProvider["provider"]["interactionDetails"]>>;

export function federationRoutes(deps: SignInDeps) {
  const strings = (c: Ctx) => pickStrings(c.req.header("accept-language"));

  function failurePage(
    c: Ctx,
    pp: PoolProvider,
    f: { reason: FederationFailureReason; detail: string },
    ctx: { connection?: Pick<IdentityProviderRow, "uid" | "name"> | undefined; protocol: string; interactionUid?: string | undefined },
  ) {
    deps.log.warn(
      {
        audience: "sign-in",
        pool: pp.snapshot.poolUid,
        connection: ctx.connection?.uid ?? "",
        protocol: ctx.protocol,
        reason: f.reason,
        detail: f.detail.slice(0, 500),
      },
      "federated sign-in refused",
    );
    const t = strings(c);
    const shown = FAILURE_PAGES[f.reason];
    const message = fill(shown.text(t), { name: ctx.connection?.name || t.signInTitle });
    const back = ctx.interactionUid ? interactionPath(pp, ctx.interactionUid) : undefined;
    return send(c, errorPage(t, pp.snapshot.brand, message, shown.status, { error: f.reason }, back));
  }

  async function loginInteraction(c: Ctx, pp: PoolProvider, uid: string): Promise<Details | undefined> {
    try {
      const d = await pp.provider.interactionDetails(c.env.incoming, c.env.outgoing);
      return d.uid === uid && d.prompt.name === "login" ? d : undefined;
    } catch {
      return undefined;
    }
  }
  const expired = (c: Ctx, pp: PoolProvider) => {
    const t = strings(c);
    return send(c, errorPage(t, pp.snapshot.brand, t.errorExpired, 400));
  };

  /** Sends the browser of interaction `d` to the connection's provider. */
  async function begin(c: Ctx, pp: PoolProvider, d: Details, connectionUid: string, mode: FederationMode) {
    const { accountId, poolUid, issuer } = pp.snapshot;
    const connection = await findIdentityProvider(deps.db, { accountId, poolUid, uid: connectionUid });
    const protocolName = connection ? PROTOCOL_OF[connection.connection_type] : undefined;
    const ctx = { connection, protocol: protocolName ?? "", interactionUid: d.uid };
    if (!connection || !connection.enabled || !protocolName)
      return failurePage(c, pp, { reason: "connection_disabled", detail: "no such enabled connection in the pool" }, ctx);
    const protocol = PROTOCOLS[protocolName];
    if (!protocol) return failurePage(c, pp, { reason: "connection_disabled", detail: `${protocolName} sign-in is not served` }, ctx);

    const binding = states.bindingFrom(c.req.header("cookie"), poolUid);
    const begun = states.choose({ binding });
    let started: Awaited<ReturnType<FederationProtocol["begin"]>>;
    try {
      started = await protocol.begin(deps, {
        connection,
        callbackUrl: callbackUrl(issuer, protocolName, mode),
        issuer,
        mode,
        state: begun.state,
        nonce: begun.nonce,
        codeVerifier: begun.codeVerifier,
        loginHint: typeof d.params.login_hint === "string" && d.params.login_hint.length <= 320 ? d.params.login_hint : undefined,
        t: strings(c),
        brand: pp.snapshot.brand,
      });
    } catch (err) {
      if (err instanceof FederationFailure) return failurePage(c, pp, err, ctx);
      throw err;
    }
    await states.store(
      deps,
      { accountId, poolUid, interactionUid: d.uid, connectionUid: connection.uid, protocol: protocolName, mode, binding },
      begun,
      started.payload,
    );
    c.header("Set-Cookie", states.bindingCookie(poolUid, begun.binding, issuer), { append: true });
    c.header("Cache-Control", "no-store");
    if ("redirect" in started) return c.redirect(started.redirect, 303);
    return send(c, started.page);
  }

  return {
    begin,

    /** GET <issuer>/interaction/<uid>/federate/<connection>: the sign-in page's link. */
    async start(c: Ctx, pp: PoolProvider, uid: string, connectionUid: string) {
      const d = await loginInteraction(c, pp, uid);
      if (!d) return expired(c, pp);
      const mode: FederationMode = c.req.query("mode") === "signup" ? "signup" : "login";
      return begin(c, pp, d, connectionUid, mode);
    },

    /** <issuer>/callback/<protocol>/<mode>: the provider's answer. */
    async callback(c: Ctx, pp: PoolProvider, protocolName: FederationProtocolName, mode: FederationMode) {
      const protocol = PROTOCOLS[protocolName];
      const t = strings(c);
      if (!protocol) return send(c, errorPage(t, pp.snapshot.brand, t.errorGeneric, 404, { error: "invalid_request" }));
      const { accountId, poolUid, issuer } = pp.snapshot;
      const answer = await protocol.readState(c);
      const binding = answer.binding === "deferred" ? "deferred" : states.bindingFrom(c.req.header("cookie"), poolUid);
      const claimed = answer.state
        ? await states.claim(deps, { accountId, poolUid }, { protocol: protocolName, mode }, answer.state, binding)
        : undefined;
      if (!claimed) {
        return failurePage(
          c,
          pp,
          { reason: "state", detail: "the state is missing, unknown, used, expired, or was begun in another browser" },
          { protocol: protocolName },
        );
      }
      const connection = await findIdentityProvider(deps.db, { accountId, poolUid, uid: claimed.connectionUid });
      // A connection deleted meanwhile is still named in the log by the uid the state kept.
      const ctx = {
        connection: connection ?? { uid: claimed.connectionUid, name: "" },
        protocol: protocolName,
        interactionUid: claimed.interactionUid,
      };
      const fail = async (f: { reason: FederationFailureReason; detail: string }) => {
        await states.discard(deps, claimed.stateHash);
        return failurePage(c, pp, f, ctx);
      };
      if (!connection || !connection.enabled)
        return fail({ reason: "connection_disabled", detail: "the connection was disabled or deleted" });
      let profile: Awaited<ReturnType<FederationProtocol["complete"]>>;
      try {
        profile = await protocol.complete(deps, { c, connection, claimed, callbackUrl: callbackUrl(issuer, protocolName, mode), issuer });
      } catch (err) {
        if (err instanceof FederationFailure) return fail(err);
        throw err;
      }
      const result = await completeFederatedSignIn(deps, {
        accountId,
        poolUid,
        mode,
        profile,
        userAgent: (c.req.header("user-agent") ?? "").slice(0, 512),
      });
      if (!result.ok) return fail(result);
      deps.log.info(
        { audience: "sign-in", pool: poolUid, connection: connection.uid, protocol: protocolName, outcome: result.outcome },
        "federated sign-in",
      );
      await states.complete(deps, claimed.stateHash, { userUid: result.userUid, amr: ["fed"] });
      c.header("Cache-Control", "no-store");
      return c.redirect(`${interactionPath(pp, claimed.interactionUid)}/federated`, 303);
    },

    /** GET <issuer>/interaction/<uid>/federated: the sign-in is the interaction's login; the request resumes. */
    async finish(c: Ctx, pp: PoolProvider, uid: string) {
      const d = await loginInteraction(c, pp, uid);
      if (!d) return expired(c, pp);
      const done = await states.finish(deps, pp.snapshot, uid, states.bindingFrom(c.req.header("cookie"), pp.snapshot.poolUid));
      if (!done) {
        return failurePage(
          c,
          pp,
          { reason: "state", detail: "no finished federated sign-in of this interaction for this browser" },
          {
            protocol: "",
            interactionUid: uid,
          },
        );
      }
      const to = await pp.provider.interactionResult(
        c.env.incoming,
        c.env.outgoing,
        { login: { accountId: done.userUid, amr: done.amr, remember: true } },
        { mergeWithLastSubmission: false },
      );
      return c.redirect(to, 303);
    },
  };
}

export type FederationRoutes = ReturnType<typeof federationRoutes>;
