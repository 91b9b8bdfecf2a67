// Upstream's UserPoolClient actions: the second face of the OAuth credentials. Both act on the same
// clients (src/oauth-credentials/store.ts), so the fields both name share one schema
// (src/oauth-credentials/client-schemas.ts) and one set of rules.
import { z } from "zod";
import { defineAction } from "../core/action.js";
import { messageResult, pageResult } from "../core/schemas.js";
import * as clients from "./service.js";
import {
  clientRef,
  createUserPoolClientInput,
  updateUserPoolClientInput,
  listUserPoolClientsInput,
  listItemFields,
  userPoolClientOutput,
} from "./schemas.js";

export const userPoolClientActions = [
  defineAction({
    name: "CreateUserPoolClient",
    access: "write",
    errors: ["NotFound", "Duplicated", "QuotaExceeded"],
    summary: "Creates a client of a user pool; a WEB client's ClientSecret is returned this once. The client is also an OAuth credential.",
    input: createUserPoolClientInput,
    output: userPoolClientOutput,
    handler: (input, ctx) => clients.createUserPoolClient(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "GetUserPoolClient",
    access: "read",
    errors: ["NotFound"],
    summary: "Returns one client of a user pool; never its secret.",
    input: z.object(clientRef),
    output: userPoolClientOutput,
    handler: (input, ctx) => clients.getUserPoolClient(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "ListUserPoolClients",
    access: "read",
    errors: ["NotFound"],
    summary:
      "Lists the clients of a user pool (OAuth credentials included), newest first unless sorted otherwise; Filter narrows by type, Name and Description.",
    input: listUserPoolClientsInput,
    output: pageResult(z.object(listItemFields)),
    handler: (input, ctx) => clients.listUserPoolClients(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "UpdateUserPoolClient",
    access: "write",
    errors: ["NotFound"],
    summary:
      "Changes the given fields of a client (omitted fields stay, lists are replaced whole); ResetSecret=true returns a new ClientSecret this once.",
    input: updateUserPoolClientInput,
    output: userPoolClientOutput,
    handler: (input, ctx) => clients.updateUserPoolClient(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "DeleteUserPoolClient",
    access: "write",
    errors: ["NotFound"],
    summary: "Deletes a client of a user pool; its secret stops working at once.",
    input: z.object(clientRef),
    output: messageResult,
    handler: async (input, ctx) => {
      await clients.deleteUserPoolClient(ctx.deps, ctx.accountId, input);
      return { Message: `client ${input.ClientUid} deleted` };
    },
  }),
];
