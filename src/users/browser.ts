// The browser family a User-Agent names, for a user's LatestBrowser (and ListUsers' filter on it).
// Only the family is kept ("Chrome", not "Chrome 131 on Windows"): that is what a filter can match and
// all an administrator needs; the order of the tests matters because every Chromium browser also says
// "Chrome" and "Safari". A few ordered patterns, not a UA library: a family is all we read from it.
const FAMILIES: [RegExp, string][] = [
  [/\bEdg(e|A|iOS)?\//, "Edge"],
  [/\b(OPR|Opera)\//, "Opera"],
  [/\bSamsungBrowser\//, "Samsung Internet"],
  [/\b(Firefox|FxiOS)\//, "Firefox"],
  [/\b(Chrome|CriOS|Chromium)\//, "Chrome"],
  [/\bVersion\/[\d.]+.*\bSafari\//, "Safari"],
  [/\bMSIE |Trident\//, "Internet Explorer"],
];

/** The family of a User-Agent header, "Other" for one we do not know, "" for none. */
export function browserFamily(userAgent: string | undefined): string {
  const ua = (userAgent ?? "").slice(0, 512);
  if (ua.trim() === "") return "";
  return FAMILIES.find(([re]) => re.test(ua))?.[1] ?? "Other";
}
