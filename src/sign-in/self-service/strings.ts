// The self-service catalogue of the language the sign-in catalogue was picked in (pages/i18n.ts).
import type { Strings } from "../pages/i18n.js";
import { selfServiceEn, type SelfServiceStrings } from "./strings/en.js";
import { selfServiceZhCN } from "./strings/zh-CN.js";

export type { SelfServiceStrings };

export const selfServiceStrings = (t: Strings): SelfServiceStrings => (t.lang === "zh-CN" ? selfServiceZhCN : selfServiceEn);
