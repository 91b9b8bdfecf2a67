// Which catalogue a page is rendered in: the first of en and zh-CN the browser's Accept-Language
// ranks highest (q-values honoured; any zh-* but zh-TW/HK/MO picks zh-CN), English otherwise.
import { en, type Strings } from "./strings/en.js";
import { zhCN } from "./strings/zh-CN.js";

export type { Strings };

/** The header is untrusted: bounded before it is split, and entries beyond the first 20 ignored. */
export function pickStrings(acceptLanguage: string | undefined): Strings {
  const ranked = (acceptLanguage ?? "")
    .slice(0, 512)
    .split(",")
    .slice(0, 20)
    .map((part, i) => {
      const [tag = "", ...params] = part.trim().toLowerCase().split(";");
      const q = params.map((p) => /^\s*q=([01](?:\.\d{0,3})?)\s*$/.exec(p)?.[1]).find(Boolean);
      return { tag, q: q === undefined ? 1 : Number(q), i };
    })
    .filter((e) => e.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const { tag } of ranked) {
    if (tag === "en" || tag.startsWith("en-")) return en;
    if (tag === "zh" || (tag.startsWith("zh-") && !/^zh-(tw|hk|mo|hant)/.test(tag))) return zhCN;
  }
  return en;
}

/** A catalogue string with {name} placeholders filled; the caller escapes the result. */
export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => values[k] ?? m);
}
