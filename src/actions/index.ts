// The action registry: every action the service answers, keyed by its Action name. It only
// assembles: each family exports its list from src/<family>/actions.ts; add a family by adding one
// import and one spread.
import type { AnyAction } from "../core/action.js";
import { customAttributeActions } from "../custom-attributes/actions.js";
import { externalIdentityActions } from "../external-identities/actions.js";
import { identityProviderActions } from "../identity-providers/actions.js";
import { oauthCredentialActions } from "../oauth-credentials/actions.js";
import { passwordResetActions } from "../password-reset/actions.js";
import { userPoolClientActions } from "../user-pool-clients/actions.js";
import { userPoolActions } from "../user-pools/actions.js";
import { userActions } from "../users/actions.js";

const allActions: AnyAction[] = [...userPoolActions, ...customAttributeActions, ...userActions, ...passwordResetActions, ...oauthCredentialActions, ...userPoolClientActions, ...identityProviderActions, ...externalIdentityActions];

export const actions: ReadonlyMap<string, AnyAction> = new Map(allActions.map((a) => [a.name, a]));

if (actions.size !== allActions.length) throw new Error("two actions share a name");
