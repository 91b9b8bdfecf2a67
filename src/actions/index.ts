// The action registry: every action the service answers, keyed by its Action name. Each domain
// exports its list from its own file here; add a family by adding one import.
import type { AnyAction } from "./define.js";
import { userPoolActions } from "./user-pools.js";

const allActions: AnyAction[] = [...userPoolActions];

export const actions: ReadonlyMap<string, AnyAction> = new Map(allActions.map((a) => [a.name, a]));

if (actions.size !== allActions.length) throw new Error("two actions share a name");
