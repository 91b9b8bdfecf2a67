// The action registry: every action the service answers, keyed by its Action name. It only
// assembles: each family exports its list from src/<family>/actions.ts; add a family by adding one
// import and one line to `families` (one line each, so two families added at once merge cleanly).
import type { AnyAction } from "../core/action.js";
import { customAttributeActions } from "../custom-attributes/actions.js";
import { externalIdentityActions } from "../external-identities/actions.js";
import { deliverySettingsActions } from "../delivery-settings/actions.js";
import { departmentActions } from "../departments/actions.js";
import { groupActions } from "../groups/actions.js";
import { userGroupsCsvActions } from "../groups-csv/actions.js";
import { identityProviderActions } from "../identity-providers/actions.js";
import { federatedConnectionActions } from "../identity-providers/federated-actions.js";
import { oauthCredentialActions } from "../oauth-credentials/actions.js";
import { permissionActions } from "../permissions/actions.js";
import { passwordResetActions } from "../password-reset/actions.js";
import { tagActions } from "../tags/actions.js";
import { userPoolClientActions } from "../user-pool-clients/actions.js";
import { domainActions } from "../user-pool-domains/actions.js";
import { userPoolMausActions } from "../user-pool-maus/actions.js";
import { userPoolActions } from "../user-pools/actions.js";
import { userActions } from "../users/actions.js";
import { usersCsvActions } from "../users-csv/actions.js";

const families: AnyAction[][] = [
  userPoolActions,
  customAttributeActions,
  userActions,
  passwordResetActions,
  oauthCredentialActions,
  userPoolClientActions,
  identityProviderActions,
  federatedConnectionActions,
  domainActions,
  groupActions,
  externalIdentityActions,
  deliverySettingsActions,
  tagActions,
  usersCsvActions,
  permissionActions,
  departmentActions,
  userGroupsCsvActions,
  userPoolMausActions,
];

const allActions = families.flat();

export const actions: ReadonlyMap<string, AnyAction> = new Map(allActions.map((a) => [a.name, a]));

if (actions.size !== allActions.length) throw new Error("two actions share a name");
