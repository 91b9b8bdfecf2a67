// The OAuth identity provider ("connection") actions (docs/spec/api.md §6 "OAuth identity providers"), with
// upstream's fields (schemas of the newer ones in upstream-schemas.ts).
import { z } from "zod";
import * as idps from "./service.js";
import { identityProviderView } from "./view.js";
import type { IdentityProviderRow } from "./queries.js";
import type { ConnectionType } from "./tables.js";
import { messageResult, pageResult, pagingInput } from "../core/schemas.js";
import { defineAction } from "../core/action.js";
import {
  identityProviderOutput,
  identityProviderListItemOutput,
  accountIdentityProviderOutput,
  poolRef,
  connectionRef,
  connectionPaging,
  CONNECTION_PAGE_MAX,
  listFilter,
  createIdentityProviderInput,
  updateIdentityProviderInput,
} from "./schemas.js";

export const deleteAction = (name: string, type: ConnectionType | undefined, summary: string) =>
  defineAction({
    name,
    access: "write",
    errors: ["NotFound"],
    summary,
    input: z.object(connectionRef),
    output: messageResult,
    handler: async (input, ctx) => {
      await idps.deleteIdentityProvider(ctx.deps, ctx.accountId, input, type);
      return { Message: `identity provider ${input.ConnectionUid} deleted` };
    },
  });

const listSummary = (type: ConnectionType, get: string) =>
  `Returns the pool's ${type} connections, newest first, each as ${get} answers it` +
  (type === "SAML" ? ' but for IdpMetadata, answered "" (ask the Get for it)' : "") +
  `; pages of at most ${CONNECTION_PAGE_MAX} (PageNumber, PageSize; upstream has no paging), TotalCount says how many there are.`;

/**
 * Get<Kind> and List<Kind>s of one connection type: one connection, or a page of the pool's, whole
 * but for IdpMetadata (listSummary). `view` builds the result from a row and the public base URL.
 */
export function connectionReadActions<O extends z.ZodType>(
  type: ConnectionType,
  kind: string,
  output: O,
  view: (row: IdentityProviderRow, publicBaseUrl: string) => z.input<O>,
) {
  return [
    defineAction({
      name: `GetIdentityProvider${kind}`,
      access: "read",
      errors: ["NotFound"],
      summary: `Returns one ${type} connection; secrets are never part of it (ClientSecret is masked).`,
      input: z.object(connectionRef),
      output,
      handler: async (input, ctx) => view(await idps.findConnection(ctx.deps, ctx.accountId, input, type), ctx.deps.config.publicBaseUrl),
    }),
    defineAction({
      name: `ListIdentityProviders${kind}`,
      access: "read",
      errors: ["NotFound"],
      summary: listSummary(type, `GetIdentityProvider${kind}`),
      input: z.object({ ...poolRef, ...connectionPaging }),
      output: pageResult(output),
      handler: (input, ctx) =>
        idps.listConnectionsOfType(ctx.deps, ctx.accountId, input, type, (row) => view(row, ctx.deps.config.publicBaseUrl)),
    }),
  ];
}

export const identityProviderActions = [
  defineAction({
    name: "CreateIdentityProviderOAuth",
    access: "write",
    errors: ["NotFound", "Duplicated", "QuotaExceeded"],
    summary: "Creates an OAuth 2.0 connection in a user pool; Name is unique in the pool; ClientSecret is stored encrypted.",
    input: createIdentityProviderInput,
    output: identityProviderOutput,
    handler: ({ UserPoolUid, ...fields }, ctx) => idps.createIdentityProvider(ctx.deps, ctx.accountId, UserPoolUid, fields),
  }),
  defineAction({
    name: "GetIdentityProviderOAuth",
    access: "read",
    errors: ["NotFound"],
    summary: "Returns one OAuth connection; ClientSecret is masked.",
    input: z.object(connectionRef),
    output: identityProviderOutput,
    handler: (input, ctx) => idps.getIdentityProvider(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "UpdateIdentityProviderOAuth",
    access: "write",
    errors: ["NotFound", "Duplicated"],
    summary:
      "Changes the given fields of an OAuth connection; omitted fields stay, ProviderOptions merges field by field, " +
      "ScopesList replaces the list, and the secret changes only with a non-empty ClientSecret.",
    input: updateIdentityProviderInput,
    output: identityProviderOutput,
    handler: ({ UserPoolUid, ConnectionUid, ...fields }, ctx) =>
      idps.updateIdentityProvider(ctx.deps, ctx.accountId, { UserPoolUid, ConnectionUid }, fields),
  }),
  deleteAction("DeleteIdentityProviderOAuth", "OAUTH", "Deletes an OAuth connection."),
  deleteAction("DeleteIdentityProvider", undefined, "Deletes a connection of any type."),
  defineAction({
    name: "ListIdentityProvidersOAuth",
    access: "read",
    errors: ["NotFound"],
    summary: listSummary("OAUTH", "GetIdentityProviderOAuth"),
    input: z.object({ ...poolRef, ...connectionPaging }),
    output: pageResult(identityProviderOutput),
    handler: (input, ctx) => idps.listConnectionsOfType(ctx.deps, ctx.accountId, input, "OAUTH", identityProviderView),
  }),
  defineAction({
    name: "ListIdentityProviders",
    access: "read",
    errors: ["NotFound"],
    summary:
      "Lists the pool's connections of every type, newest first; Filter.Name (substring), ConnectionType and ExcludeConnectionType narrow it.",
    input: z.object({ ...poolRef, ...pagingInput, Filter: listFilter }),
    output: pageResult(identityProviderListItemOutput),
    handler: (input, ctx) => idps.listIdentityProviders(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "ListAllIdentityProviders",
    access: "read",
    errors: [],
    accountWide: true,
    summary:
      "Lists the connections of every pool of the account, newest first, with each one's UserPoolUid and UserPoolName; the same Filter as ListIdentityProviders.",
    input: z.object({ ...pagingInput, Filter: listFilter }),
    output: pageResult(accountIdentityProviderOutput),
    handler: (input, ctx) => idps.listAccountIdentityProviders(ctx.deps, ctx.accountId, input),
  }),
];
