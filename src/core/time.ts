// Time as the API prints it. In the neutral core so views (families) and the envelope (gateway) share
// one definition without either importing the other.

/** RFC 3339 UTC without fractional seconds, as the real service prints times. */
export function formatTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}
