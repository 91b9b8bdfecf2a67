// The custom-attribute actions of a user pool (upstream's CreateUserPoolCustomAttribute family);
// GetUserPool lists a pool's attributes in its CustomAttributes.
import { z } from "zod";
import { defineAction } from "../core/action.js";
import { messageResult, uid } from "../core/schemas.js";
import * as attributes from "./service.js";
import { poolRef, createCustomAttributeInput, updateCustomAttributeInput } from "./schemas.js";
import { customAttributeOutput } from "../user-pools/child-views.js";

export const customAttributeActions = [
  defineAction({
    name: "CreateUserPoolCustomAttribute",
    access: "write",
    errors: ["NotFound", "Duplicated", "QuotaExceeded"],
    summary: "Adds a custom attribute to a user pool; Name is unique in the pool, case-insensitively.",
    input: createCustomAttributeInput,
    output: customAttributeOutput,
    handler: (input, ctx) => attributes.createCustomAttribute(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "UpdateUserPoolCustomAttribute",
    access: "write",
    errors: ["NotFound", "Duplicated"],
    summary: "Renames a custom attribute or changes its Mutability or bounds; its DataType stays.",
    input: updateCustomAttributeInput,
    output: customAttributeOutput,
    handler: (input, ctx) => attributes.updateCustomAttribute(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "DeleteUserPoolCustomAttribute",
    access: "write",
    errors: ["NotFound"],
    summary: "Removes a custom attribute from a user pool.",
    input: z.object({ ...poolRef, Uid: uid() }),
    output: messageResult,
    handler: async (input, ctx) => {
      await attributes.deleteCustomAttribute(ctx.deps, ctx.accountId, input.UserPoolUid, input.Uid);
      return { Message: `custom attribute ${input.Uid} deleted` };
    },
  }),
];
