// Time as the API prints it. In the neutral core so views (families) and the envelope (gateway) share
// one definition without either importing the other.

/** RFC 3339 UTC without fractional seconds, as the real service prints times. */
export function formatTime(d: Date): string {
  // toISOString always ends in ".sssZ": cut it rather than run a regular expression (views print
  // two to a few dozen times per item).
  const iso = d.toISOString();
  return `${iso.slice(0, -5)}Z`;
}
