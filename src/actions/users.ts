// The actions of this family (api.md §6).
import type { AnyAction } from "./define.js";

export const userActions: AnyAction[] = [];
