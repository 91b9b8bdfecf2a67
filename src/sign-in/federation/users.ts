// Who a federated sign-in is, in the pool: the same protocol-independent decision for OAuth, OIDC
// and SAML connections (the protocol modules hand over a verified FederatedProfile).
//
//   1. The connection must exist and be enabled; the identity must not be one an administrator took
//      off its user (DisableIdentityProviderForUser leaves a mark: external-identities/queries.ts).
//   2. An identity already linked is that user (who must be ACTIVE).
//   3. Else ProviderOptions.AutoLinking: EMAIL links to the user holding the provider's e-mail
//      address only when the provider says the address is verified; USERNAME to the user holding the
//      mapped PreferredUsername. A native user holding the address when no link is made is a
//      conflict (the person is told to sign in with that account): never a second account beside it.
//   4. Else a new federated user, just in time: only when the pool allows sign-up (SelfSignUpEnabled)
//      and the connection allows creation (IsCreationAllowed; on a `login` callback also IsAutoCreation).
//   5. IsAutoUpdate: a user the connection created takes the provider's attributes again.
//   6. The identity's LastLoginAt, ExternalProviderUserMetadata and propagated claims, and the user's
//      login record naming the connection.
import { sql } from "kysely";
import { DEFAULT_PROVIDER_OPTIONS } from "../../identity-providers/view.js";
import { findIdentityProvider, type IdentityProviderRow } from "../../identity-providers/queries.js";
import { holdersOf, insertLink, isIdentityDisabled, recordIdentityLogin, type LinkKey } from "../../external-identities/queries.js";
import { isUniqueViolation } from "../../platform/db/errors.js";
import { findParentPool } from "../../user-pools/parent.js";
import { createUsers } from "../../users/create.js";
import { findUser } from "../../users/queries.js";
import { updateUser, type UpdateUserFields } from "../../users/service.js";
import { ApiError } from "../../core/errors.js";
import { recordSignIn } from "../../users/sign-in.js";
import type { NewUserFields } from "../../users/schemas.js";
import type { SignInDeps } from "../provider.js";
import { boundedMetadata, mappedAttributes, propagatedClaims } from "./mapping.js";
import type { FederatedProfile, FederationFailureReason, FederationMode } from "./profile.js";

export interface FederatedSignIn {
  accountId: string;
  poolUid: string;
  mode: FederationMode;
  profile: FederatedProfile;
  /** For the login record's LatestBrowser. */
  userAgent?: string | undefined;
}

export type FederatedSignInResult =
  | { ok: true; userUid: string; outcome: "existing" | "linked" | "created"; connection: IdentityProviderRow }
  | { ok: false; reason: FederationFailureReason; detail: string };

const refuse = (reason: FederationFailureReason, detail: string): FederatedSignInResult => ({ ok: false, reason, detail });

const CONNECTION_TYPE = { oauth: "OAUTH", oidc: "OIDC", saml: "SAML" } as const;

/** Users of the pool holding this e-mail address (or username), native ones first; at most three are read. */
async function holdersOfValue(
  deps: Pick<SignInDeps, "db">,
  accountId: string,
  poolUid: string,
  column: "email" | "preferred_username",
  value: string,
) {
  return deps.db
    .selectFrom("users")
    .select(["uid", "connection_uid"])
    .where("account_id", "=", accountId)
    .where("user_pool_uid", "=", poolUid)
    .where(sql<string>`lower(${sql.ref(column)})`, "=", value.toLowerCase())
    .orderBy(sql`connection_uid is not null`)
    .orderBy("seq")
    .limit(3)
    .execute();
}

/** The user AutoLinking names for this profile, a conflict, or nothing to link to. */
async function linkTarget(
  deps: Pick<SignInDeps, "db">,
  k: LinkKey,
  connection: IdentityProviderRow,
  email: string | undefined,
  emailVerified: boolean,
  username: string | undefined,
): Promise<{ userUid: string } | { conflict: string } | undefined> {
  const { AutoLinking } = { ...DEFAULT_PROVIDER_OPTIONS, ...connection.provider_options };
  const byEmail = email ? await holdersOfValue(deps, k.accountId, k.poolUid, "email", email) : [];
  const nativeHolder = byEmail.find((u) => u.connection_uid === null);
  if (AutoLinking === "EMAIL" && byEmail.length > 0) {
    if (!emailVerified) return { conflict: "AutoLinking EMAIL: the provider did not say the e-mail address is verified" };
    const target = nativeHolder ?? (byEmail.length === 1 ? byEmail[0] : undefined);
    if (!target) return { conflict: "AutoLinking EMAIL: several federated users hold the e-mail address" };
    return { userUid: target.uid };
  }
  if (AutoLinking === "USERNAME" && username) {
    const byName = await holdersOfValue(deps, k.accountId, k.poolUid, "preferred_username", username);
    const target = byName.find((u) => u.connection_uid === null) ?? (byName.length === 1 ? byName[0] : undefined);
    if (target) return { userUid: target.uid };
    if (byName.length > 1) return { conflict: "AutoLinking USERNAME: several federated users hold the username" };
  }
  if (nativeHolder) return { conflict: `AutoLinking ${AutoLinking}: a native user holds the e-mail address` };
  return undefined;
}

/** A new federated user linked to the identity (CREATE), through CreateUsers' own path; undefined when a concurrent sign-in won. */
async function createFederatedUser(
  deps: SignInDeps,
  k: LinkKey,
  attributes: Record<string, string | boolean>,
): Promise<{ userUid: string } | { error: string } | undefined> {
  const fields = { ...attributes, ExternalProviderUserIdentifier: k.externalUserId } as NewUserFields;
  const [outcome] = await createUsers(deps, k.accountId, k.poolUid, [fields], k.connectionUid);
  if (outcome && "uid" in outcome) return { userUid: outcome.uid };
  const failure = outcome as { error: Error; field?: string } | undefined;
  if (failure?.field === "ExternalProviderUserIdentifier") return undefined;
  return { error: `${failure?.field ?? "user"}: ${failure?.error.message ?? "not created"}` };
}

/** Links an existing user to the identity (AutoLinking); false when the identity or the user's slot for the connection was taken meanwhile. */
async function linkExisting(deps: SignInDeps, k: LinkKey, userUid: string): Promise<boolean> {
  const now = deps.clock.now();
  try {
    await deps.db.transaction().execute((trx) =>
      insertLink(trx, {
        account_id: k.accountId,
        user_pool_uid: k.poolUid,
        connection_uid: k.connectionUid,
        external_user_id: k.externalUserId,
        user_uid: userUid,
        link_source: "LINK",
        created_at: now,
        updated_at: now,
      }),
    );
    return true;
  } catch (err) {
    if (isUniqueViolation(err)) return false;
    throw err;
  }
}

/**
 * IsAutoUpdate: a user this connection created takes the provider's current attributes on each
 * sign-in (a native user linked by AutoLinking is never rewritten from a provider). A value the
 * user's rules refuse leaves the user as it was; the sign-in goes on, and the log says why.
 */
async function autoUpdate(deps: SignInDeps, k: LinkKey, connection: IdentityProviderRow, attributes: Record<string, string | boolean>) {
  const { IsAutoUpdate } = { ...DEFAULT_PROVIDER_OPTIONS, ...connection.provider_options };
  if (!IsAutoUpdate || Object.keys(attributes).length === 0) return;
  const user = (await holdersOf(deps.db, k.accountId, k.poolUid, k.connectionUid, [k.externalUserId])).get(k.externalUserId);
  if (!user) return;
  try {
    await updateUser(deps, k.accountId, k.poolUid, user, attributes as UpdateUserFields);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    deps.log.warn({ audience: "sign-in", pool: k.poolUid, connection: k.connectionUid, reason: err.code }, "federated user not updated");
  }
}

export async function completeFederatedSignIn(deps: SignInDeps, input: FederatedSignIn): Promise<FederatedSignInResult> {
  const { accountId, poolUid, profile } = input;
  const connection = await findIdentityProvider(deps.db, { accountId, poolUid, uid: profile.connectionUid });
  if (!connection || !connection.enabled || connection.connection_type !== CONNECTION_TYPE[profile.provider])
    return refuse("connection_disabled", "the connection is missing, disabled, or of another type");
  const subject = profile.subject.trim();
  if (subject === "" || subject.length > 512)
    return refuse("invalid_response", "the provider's user id is empty or longer than 512 characters");
  const k: LinkKey = { accountId, poolUid, connectionUid: connection.uid, externalUserId: subject };
  if (await isIdentityDisabled(deps.db, k))
    return refuse("identity_disabled", "DisableIdentityProviderForUser took this identity off its user");

  const propagation = propagatedClaims(connection.claims_propagation_config, profile.claims);
  if (!propagation.ok)
    return refuse("missing_claim", `the required claim ${JSON.stringify(propagation.missing)} is missing or of another type`);
  const attributes = mappedAttributes(connection.attribute_mappings, profile.claims);
  const email = profile.email ?? (typeof attributes.Email === "string" ? attributes.Email : undefined);

  let outcome: "existing" | "linked" | "created" = "existing";
  let userUid = (await holdersOf(deps.db, accountId, poolUid, connection.uid, [subject])).get(subject);
  for (let attempt = 0; userUid === undefined && attempt < 2; attempt++) {
    const target = await linkTarget(
      deps,
      k,
      connection,
      email,
      profile.emailVerified === true,
      typeof attributes.PreferredUsername === "string" ? attributes.PreferredUsername : undefined,
    );
    if (target && "conflict" in target) return refuse("email_conflict", target.conflict);
    if (target) {
      // A disabled user is refused before anything is linked to it.
      const holder = await findUser(deps.db, accountId, poolUid, target.userUid);
      if (!holder || holder.user_state !== "ACTIVE") return refuse("user_disabled", "the user AutoLinking names is disabled or gone");
      if (await linkExisting(deps, k, target.userUid)) {
        userUid = target.userUid;
        outcome = "linked";
      }
    } else {
      const pool = await findParentPool(deps.db, accountId, poolUid, "read");
      const options = { ...DEFAULT_PROVIDER_OPTIONS, ...connection.provider_options };
      const allowed =
        pool?.self_sign_up_enabled === true && options.IsCreationAllowed && (input.mode === "signup" || options.IsAutoCreation);
      if (!allowed)
        return refuse("signup_closed", `no user has this identity, and the pool or connection does not allow creating one (${input.mode})`);
      const created = await createFederatedUser(deps, k, attributes);
      if (created && "error" in created) return refuse("invalid_response", `the provider's profile makes no valid user: ${created.error}`);
      if (created) {
        userUid = created.userUid;
        outcome = "created";
      }
    }
    // Lost a race with a concurrent sign-in of the same identity: it is linked now.
    userUid ??= (await holdersOf(deps.db, accountId, poolUid, connection.uid, [subject])).get(subject);
  }
  if (userUid === undefined)
    return refuse("email_conflict", "the user the identity would link to already has another identity of this connection");

  const user = await findUser(deps.db, accountId, poolUid, userUid);
  if (!user || user.user_state !== "ACTIVE") return refuse("user_disabled", "the user is disabled or gone");
  if (outcome === "existing" && user.connection_uid === connection.uid) await autoUpdate(deps, k, connection, attributes);

  await recordIdentityLogin(deps.db, k, {
    at: deps.clock.now(),
    metadata: boundedMetadata(profile.claims),
    propagatedClaims: propagation.claims,
  });
  await recordSignIn(deps, {
    accountId,
    poolUid,
    userUid,
    method: profile.provider,
    userAgent: input.userAgent,
    connection: { name: connection.name, provider: connection.provider, type: connection.connection_type },
  });
  return { ok: true, userUid, outcome, connection };
}
