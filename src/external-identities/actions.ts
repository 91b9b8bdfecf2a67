// Identity linking actions (upstream's LinkIdentityProviderToUser, DisableIdentityProviderForUser,
// BatchConvertFederatedUsersToNativeUsers). Users created from an external identity go through
// CreateUser / CreateUsers (src/users/); their links show in the user's ExternalIdentities.
import { defineAction } from "../core/action.js";
import { messageResult } from "../core/schemas.js";
import * as linking from "./service.js";
import { convertInput, convertOutput, linkInput } from "./schemas.js";

/** Link and unlink: one input, a {Message} naming the user, the service's work in between. */
function linkAction(def: {
  name: string;
  errors: ("NotFound" | "Duplicated")[];
  summary: string;
  run: typeof linking.linkIdentity;
  done: string;
}) {
  return defineAction({
    name: def.name,
    access: "write",
    errors: def.errors,
    summary: def.summary,
    input: linkInput,
    output: messageResult,
    handler: async (input, ctx) => {
      await def.run(ctx.deps, ctx.accountId, input);
      return { Message: `external identity ${def.done} user ${input.UserPoolUserUid}` };
    },
  });
}

export const externalIdentityActions = [
  linkAction({
    name: "LinkIdentityProviderToUser",
    errors: ["NotFound", "Duplicated"],
    summary:
      "Links an external identity (ExternalProviderUserId at ConnectionUid) to a user of the pool. An identity belongs to at most one " +
      "user of a pool, and a user has at most one identity per connection: either taken is Duplicated.",
    run: linking.linkIdentity,
    done: "linked to",
  }),
  linkAction({
    name: "DisableIdentityProviderForUser",
    errors: ["NotFound"],
    summary: "Removes the link between an external identity and a user; a link that does not exist (or was already removed) is NotFound.",
    run: linking.unlinkIdentity,
    done: "unlinked from",
  }),
  defineAction({
    name: "BatchConvertFederatedUsersToNativeUsers",
    access: "write",
    errors: ["NotFound"],
    summary:
      "Makes federated users (created from an external identity without a password) native: their Email, PreferredUsername and " +
      "PhoneNumber become unique sign-in identifiers of the pool, so a value a native user holds is a conflict. Links stay.",
    input: convertInput,
    output: convertOutput,
    handler: (input, ctx) => linking.convertToNative(ctx.deps, ctx.accountId, input),
  }),
];
