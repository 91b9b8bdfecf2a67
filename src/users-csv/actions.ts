// CSV import of users (issue 14 item 7): GetUserCSVTemplate lists the pool's columns, CreateUsersCSV
// reads a filled-in file and hands every row to CreateUsers' own path (createUsersFromRaw), so a row
// meets the same rules and gets the same per-item errors as a CreateUsers item.
import { defineAction } from "../core/action.js";
import { customAttributesOf } from "../custom-attributes/service.js";
import { chargeCsvRows } from "../platform/rate-limits/charge.js";
import { parentPool } from "../user-pools/parent.js";
import { createUsersFromRaw } from "../users/batch-items.js";
import { batchOutput } from "../users/schemas.js";
import { createUsersCsvInput, csvTemplateOutput, MAX_CSV_PASSWORDS, MAX_CSV_ROWS, templateInput } from "./schemas.js";
import { csvError, decodeCsv, parseCsv } from "./csv.js";
import { columnsOf, readHeader, rowToItem, templateCsv } from "./columns.js";

export const usersCsvActions = [
  defineAction({
    name: "GetUserCSVTemplate",
    access: "read",
    errors: ["NotFound"],
    summary: "The columns a CSV for CreateUsersCSV may have in this pool (custom attributes included), and the header line as a file.",
    input: templateInput,
    output: csvTemplateOutput,
    handler: async (input, ctx) => {
      await parentPool(ctx.deps.db, ctx.accountId, input.UserPoolUid, "read");
      const columns = columnsOf(await customAttributesOf(ctx.deps.db, ctx.accountId, input.UserPoolUid));
      return { Columns: columns, UsersCsvB64: Buffer.from(templateCsv(columns), "utf8").toString("base64") };
    },
  }),
  defineAction({
    name: "CreateUsersCSV",
    access: "write",
    errors: ["NotFound"],
    summary:
      "Creates the users of a CSV, each row as a CreateUsers item (same rules, same per-item errors; Index is the 0-based row after the header). " +
      "A file that is not valid base64 or CSV, has an unknown or repeated column, a row of another length, or too many rows is refused whole, naming the line. " +
      "The import pays one extra rate-limit token per ID_RATE_LIMIT_CSV_ROWS_PER_TOKEN rows (default 100).",
    input: createUsersCsvInput,
    output: batchOutput,
    handler: async (input, ctx) => {
      await parentPool(ctx.deps.db, ctx.accountId, input.UserPoolUid, "read");
      const defs = await customAttributesOf(ctx.deps.db, ctx.accountId, input.UserPoolUid);
      const { header, rows } = parseCsv(decodeCsv(input.UsersCsvB64), MAX_CSV_ROWS);
      const columns = readHeader(header, defs);
      if (rows.length === 0) throw csvError("the CSV has a header and no users");
      // Charged by its rows before any is written: one token per ID_RATE_LIMIT_CSV_ROWS_PER_TOKEN rows.
      await chargeCsvRows(ctx.deps, ctx.principal, rows.length);
      const items = rows.map((row) => rowToItem(columns, row));
      const withPassword = items.filter((i) => i.Password !== undefined).length;
      if (withPassword > MAX_CSV_PASSWORDS)
        throw csvError(
          `${withPassword} rows have a Password; CreateUsersCSV hashes at most ${MAX_CSV_PASSWORDS} per call (import the rest with CreateUsers or without passwords)`,
        );
      const { UsersCsvB64: _csv, ...rest } = input;
      return createUsersFromRaw({ ...rest, Users: items }, ctx);
    },
  }),
];
