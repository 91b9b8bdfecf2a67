// The CSV side of CreateUsersCSV: base64 to text, text to records with csv-parse, each failure a
// typed InvalidParameter.UsersCsvB64 naming the line (and the row's Index, as the batch result counts
// rows: 0-based, header excluded).
import { CsvError, parse } from "csv-parse/sync";
import { errors } from "../core/errors.js";

const PARAM = "UsersCsvB64";
const bad = (message: string, param = PARAM) => errors.invalidParameter(param, message);

/** Standard base64 (padding optional, line breaks allowed, as MIME wraps it), decoding to UTF-8 text. */
export function decodeCsv(b64: string, param = PARAM): string {
  const compact = b64.replace(/[\r\n\t ]+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) throw bad(`${param} is not valid base64`, param);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(compact, "base64"));
  } catch {
    throw bad("the CSV is not UTF-8 text", param);
  }
}

/** What each csv-parse failure means to the person who wrote the file; csv-parse's own text echoes content. */
const REASONS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: "a quoted field is never closed (unbalanced quotes)",
  CSV_INVALID_CLOSING_QUOTE: "a closing quote is followed by something other than a comma or the end of the line",
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: "a closing quote is followed by something other than a comma or the end of the line",
  CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: "the row does not have as many fields as the header",
  CSV_MAX_RECORD_SIZE: "a field is too long",
};

/** The header and the rows (maybe none), every row as long as the header; at most `maxRows` rows. */
export function parseCsv(text: string, maxRows: number, param = PARAM): { header: string[]; rows: string[][] } {
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, max_record_size: 65_536 }) as string[][];
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    const at = err as CsvError & { lines?: number; records?: number };
    const index = at.records !== undefined && at.records > 0 ? ` (Index ${at.records - 1})` : "";
    throw bad(`line ${at.lines ?? "?"}${index}: ${REASONS[err.code] ?? "not valid CSV"}`, param);
  }
  if (records.length === 0) throw errors.missingParameter(param, "the CSV is empty: it needs a header line and a line per user");
  const [head, ...rest] = records;
  if (rest.length > maxRows) throw bad(`the CSV has ${rest.length} rows; at most ${maxRows} per call`, param);
  return { header: head!, rows: rest };
}

export { bad as csvError };
