// Group membership by CSV (upstream's CreateUserGroupsCsv and GetUserGroupsCsvTemplate): a file of
// (user, group) rows, read as CreateUsersCSV reads its file (src/users-csv/csv.ts), applied through
// the groups family's membership writes (rows.ts), answered as a batch per row.
import { stringify } from "csv-stringify/sync";
import { defineAction } from "../core/action.js";
import { parentPool } from "../user-pools/parent.js";
import { batchOutput } from "../users/schemas.js";
import { csvError, decodeCsv, parseCsv } from "../users-csv/csv.js";
import { applyRows } from "./rows.js";
import { COLUMNS, createUserGroupsCsvInput, MAX_ROWS, PARAM, templateInput, templateOutput } from "./schemas.js";

export const userGroupsCsvActions = [
  defineAction({
    name: "GetUserGroupsCsvTemplate",
    access: "read",
    errors: ["NotFound"],
    summary: "The columns of a CreateUserGroupsCsv file (UserIdentifier, GroupName), and the header line as a file.",
    input: templateInput,
    output: templateOutput,
    handler: async (input, ctx) => {
      await parentPool(ctx.deps.db, ctx.accountId, input.UserPoolUid, "read");
      return { Columns: COLUMNS, UserGroupsCsvB64: Buffer.from(stringify([COLUMNS]), "utf8").toString("base64") };
    },
  }),
  defineAction({
    name: "CreateUserGroupsCsv",
    access: "write",
    errors: ["NotFound"],
    summary:
      "Adds users to groups from a CSV of UserIdentifier,GroupName rows (the user named by UserIdentifierType, the group by its name); with UniqueGroupPerUserEnabled " +
      "each user appears once and its row's group becomes its only group. A result per row (Index: 0-based after the header); a file that cannot be read is refused whole.",
    input: createUserGroupsCsvInput,
    output: batchOutput,
    handler: async (input, ctx) => {
      await parentPool(ctx.deps.db, ctx.accountId, input.UserPoolUid, "read");
      const { header, rows } = parseCsv(decodeCsv(input.UserGroupsCsvB64, PARAM), MAX_ROWS, PARAM);
      const cols = header.map((h) => h.trim().toLowerCase());
      const at = COLUMNS.map((c) => cols.indexOf(c.toLowerCase()));
      if (at.some((i) => i < 0) || cols.length !== COLUMNS.length) throw csvError(`line 1: the header must be ${COLUMNS.join(",")}`, PARAM);
      if (rows.length === 0) throw csvError("the CSV has a header and no rows", PARAM);
      const outcomes = await applyRows(
        ctx.deps,
        ctx.accountId,
        input.UserPoolUid,
        {
          type: input.UserIdentifierType,
          connection: input.ExternalProviderConnectionUid || undefined,
          unique: input.UniqueGroupPerUserEnabled ?? false,
        },
        rows.map((r) => ({ identifier: r[at[0]!]!.trim(), group: r[at[1]!]!.trim() })),
      );
      const ok = outcomes.filter((o) => o.uid);
      const bad = outcomes.filter((o) => o.error);
      const external = (o: { identifier: string }) => (input.UserIdentifierType === "ExternalProviderUserIdentifier" ? o.identifier : "");
      return {
        SuccessCount: ok.length,
        FailureCount: bad.length,
        SuccessfulUids: [...new Set(ok.map((o) => o.uid!))],
        SuccessfulUidsStructured: ok.map((o) => ({ Index: o.index, Uid: o.uid!, ExternalProviderUserIdentifier: external(o) })),
        Errors: bad.map((o) => `row ${o.index}: ${o.error!.message}`),
        ErrorsStructured: bad.map((o) => ({
          Index: o.index,
          Code: o.error!.code,
          ErrorType: o.error!.type,
          Error: o.error!.message,
          Field: o.error!.field,
          DuplicatedUserUid: o.error!.duplicatedUserUid ?? "",
          ExternalProviderUserIdentifier: external(o),
        })),
      };
    },
  }),
];
