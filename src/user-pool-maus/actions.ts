// GetUserPoolMaus: monthly active users per pool (service.ts says how they are counted).
import { defineAction } from "../core/action.js";
import { getUserPoolMausInput, getUserPoolMausOutput } from "./schemas.js";
import { userPoolMaus } from "./service.js";

export const userPoolMausActions = [
  defineAction({
    name: "GetUserPoolMaus",
    access: "read",
    accountWide: true,
    errors: ["NotFound"],
    summary:
      "Monthly active users of up to 100 pools (none given: every pool of the account): the users whose latest sign-in falls in Month (YYYY-MM, UTC; default this month).",
    input: getUserPoolMausInput,
    output: getUserPoolMausOutput,
    handler: (input, ctx) => userPoolMaus(ctx.deps, ctx.accountId, input),
  }),
];
