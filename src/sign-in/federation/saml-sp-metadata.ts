// The pool's SAML service-provider metadata for one connection, served at
// <Issuer>/saml/metadata/<ConnectionUid>: exactly the SpMetadata the control plane returns for the
// connection (src/identity-providers/federation-view.ts), so an IdP administrator can configure the
// trust from a URL instead of pasting XML. It is public by nature (entity id, ACS, certificates).
import { findIdentityProvider } from "../../identity-providers/queries.js";
import { samlConnectionView } from "../../identity-providers/federation-view.js";
import type { SignInDeps } from "../provider.js";

/** The metadata XML, or undefined when the pool has no SAML connection of that uid. */
export async function spMetadataFor(
  deps: Pick<SignInDeps, "db" | "config">,
  pool: { accountId: string; poolUid: string },
  connectionUid: string,
): Promise<string | undefined> {
  const row = await findIdentityProvider(deps.db, { accountId: pool.accountId, poolUid: pool.poolUid, uid: connectionUid });
  if (!row || row.connection_type !== "SAML") return undefined;
  return samlConnectionView(row, deps.config.publicBaseUrl).SpMetadata;
}
