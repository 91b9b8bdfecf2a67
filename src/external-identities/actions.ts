// Identity linking actions (upstream's LinkIdentityProviderToUser, DisableIdentityProviderForUser,
// BatchConvertFederatedUsersToNativeUsers). Users created from an external identity go through
// CreateUser / CreateUsers (src/users/); their links show in the user's ExternalIdentities.
import { z } from "zod";
import { defineAction } from "../core/action.js";
import { messageResult, uid } from "../core/schemas.js";
import * as linking from "./service.js";
import { IDENTIFIER_FIELDS } from "./federated.js";

/** A user's id at a provider (an OIDC `sub`, a SAML NameID, an OAuth IdAttribute value). */
export const externalUserId = () => z.string().trim().min(1).max(512);

export const linkInput = z.object({
  UserPoolUid: uid(),
  ConnectionUid: uid().describe("a connection of the pool, of any type"),
  ExternalProviderUserId: externalUserId(),
  UserPoolUserUid: uid(),
});

export const convertInput = z.object({
  UserPoolUid: uid(),
  UserUids: z.array(uid()).min(1).max(100).describe("users of the pool; a native one counts as converted"),
});

export const convertOutput = z.object({
  ConflictUsers: z
    .array(z.object({ Field: z.enum(IDENTIFIER_FIELDS), UserUids: z.array(z.string()) }))
    .describe("users left federated: a native user (or an earlier user of the request) holds their value of Field"),
  SuccessfulUids: z.array(z.string()),
});

export const externalIdentityActions = [
  defineAction({
    name: "LinkIdentityProviderToUser",
    access: "write",
    errors: ["NotFound", "Duplicated"],
    summary:
      "Links an external identity (ExternalProviderUserId at ConnectionUid) to a user of the pool. An identity belongs to at most one " +
      "user of a pool, and a user has at most one identity per connection: either taken is Duplicated.",
    input: linkInput,
    output: messageResult,
    handler: async (input, ctx) => {
      await linking.linkIdentity(ctx.deps, ctx.accountId, input);
      return { Message: `external identity linked to user ${input.UserPoolUserUid}` };
    },
  }),
  defineAction({
    name: "DisableIdentityProviderForUser",
    access: "write",
    errors: ["NotFound"],
    summary: "Removes the link between an external identity and a user; a link that does not exist (or was already removed) is NotFound.",
    input: linkInput,
    output: messageResult,
    handler: async (input, ctx) => {
      await linking.unlinkIdentity(ctx.deps, ctx.accountId, input);
      return { Message: `external identity unlinked from user ${input.UserPoolUserUid}` };
    },
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
