// CSV import of users: GetUserCSVTemplate's and CreateUsersCSV's requests and answers, and one call's bounds.
import { z } from "zod";
import { uid } from "../core/schemas.js";
import { createUsersInput } from "../users/schemas.js";

/**
 * One call's bounds. Rows: 10,000 users import in one transaction in a few seconds (bench/csv), and
 * the body limit (ID_BODY_LIMIT_BYTES, 1 MiB) holds about that many short rows. Passwords: as many as
 * one CreateUsers call may hash; each is an scrypt run, so a file of them would hold the hashing
 * queue for minutes.
 */
export const MAX_CSV_ROWS = 10_000;
export const MAX_CSV_PASSWORDS = 100;

const poolRef = { UserPoolUid: uid() };
export const templateInput = z.object(poolRef);

export const createUsersCsvInput = z.object({
  ...poolRef,
  // CreateUsers' own field: whatever CreateUsers does with it, the CSV rows get.
  ExternalProviderConnectionUid: createUsersInput.shape.ExternalProviderConnectionUid,
  UsersCsvB64: z
    .string()
    .min(1)
    .describe(
      `the CSV (UTF-8, a header line of GetUserCSVTemplate's columns, then one line per user; at most ${MAX_CSV_ROWS} users, ${MAX_CSV_PASSWORDS} of them with a Password), base64-encoded`,
    ),
});

export const csvTemplateOutput = z.object({
  Columns: z.array(z.string()).describe("the pool's columns: CreateUsers' fields, then custom:<Name> per custom attribute"),
  UsersCsvB64: z.string().describe("the header line as a CSV file, base64-encoded, ready to fill in and send to CreateUsersCSV"),
});
