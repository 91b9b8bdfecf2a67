// Text matching shared by the list queries' name filters.

/** An ILIKE pattern for "contains `text`", with LIKE's metacharacters in `text` matched literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => "\\" + c)}%`;
}
