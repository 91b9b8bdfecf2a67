// Multi-row INSERTs in slices: a statement has at most 65,535 parameters (the wire protocol counts
// them in 16 bits), so a CSV import of thousands of users (about 25 parameters a row) and their links
// goes in slices of 1,000 rows, one after the other in the caller's transaction.
const INSERT_SLICE = 1000;

/** Runs `insert` on each slice of `rows` in order; returns what each returned, concatenated. */
export async function inSlices<T, R>(rows: T[], insert: (slice: T[]) => Promise<R[]>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < rows.length; i += INSERT_SLICE) out.push(...(await insert(rows.slice(i, i + INSERT_SLICE))));
  return out;
}
