// Property: for random resource trees, grants and denies (GrantPermission, with "in" or "==" on the
// resource, any or one principal, group or user, any or one action), CheckPermission agrees with a
// reference evaluator written here from the documented rules: a policy applies when its principal
// is any, the principal, or a group the principal is in (given as a Reference); its action is any or
// the action; its resource is any, the resource (==), or the resource or an ancestor of it (in).
// Allowed iff some allow applies and no deny applies.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestService, type TestService } from "../support/harness.js";
import { newNamespace } from "../support/families/permissions.js";

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc.close());

const USERS = ["u0", "u1", "u2"];
const GROUPS = ["g0", "g1"];
const ACTIONS = ["read", "write"];
const TYPES = ["Folder", "Doc"];

interface Node {
  parent: number;
  type: string;
}
interface Grant {
  effect: "Allow" | "Deny";
  principal: { Type: string; Id: string } | null;
  action: string | null;
  resource: { node: number; op: "in" | "==" } | null;
}
interface Question {
  user: string;
  action: string;
  node: number;
}

/** Parent -1 is a root; a node's parent comes before it, so the tree is acyclic (at most 8 levels). */
const tree = fc
  .array(fc.record({ parentPick: fc.nat(), type: fc.constantFrom(...TYPES) }), { minLength: 1, maxLength: 8 })
  .map((raw) => raw.map((r, i): Node => ({ parent: i === 0 ? -1 : (r.parentPick % (i + 1)) - 1, type: r.type })));

const scenario = tree.chain((nodes) =>
  fc.record({
    nodes: fc.constant(nodes),
    membership: fc.array(fc.tuple(fc.constantFrom(...USERS), fc.constantFrom(...GROUPS)), { maxLength: 4 }),
    grants: fc.array(
      fc.record({
        effect: fc.constantFrom("Allow", "Allow", "Deny") as fc.Arbitrary<"Allow" | "Deny">,
        principal: fc.option(
          fc.oneof(
            fc.constantFrom(...USERS).map((Id) => ({ Type: "User", Id })),
            fc.constantFrom(...GROUPS).map((Id) => ({ Type: "Group", Id })),
          ),
        ),
        action: fc.option(fc.constantFrom(...ACTIONS)),
        resource: fc.option(
          fc.record({ node: fc.nat({ max: nodes.length - 1 }), op: fc.constantFrom("in", "==") as fc.Arbitrary<"in" | "=="> }),
        ),
      }),
      { minLength: 1, maxLength: 6 },
    ),
    questions: fc.array(
      fc.record({ user: fc.constantFrom(...USERS), action: fc.constantFrom(...ACTIONS), node: fc.nat({ max: nodes.length - 1 }) }),
      { minLength: 1, maxLength: 6 },
    ),
  }),
);

function ancestorsOf(nodes: Node[], i: number): number[] {
  const out = [i];
  for (let p = nodes[i]!.parent; p !== -1; p = nodes[p]!.parent) out.push(p);
  return out;
}

/** The documented rules, directly. */
function reference(nodes: Node[], membership: [string, string][], grants: Grant[], q: Question): boolean {
  const applies = (g: Grant) =>
    (g.principal === null ||
      (g.principal.Type === "User" ? g.principal.Id === q.user : membership.some(([u, grp]) => u === q.user && grp === g.principal!.Id))) &&
    (g.action === null || g.action === q.action) &&
    (g.resource === null || (g.resource.op === "==" ? g.resource.node === q.node : ancestorsOf(nodes, q.node).includes(g.resource.node)));
  const matching = grants.filter(applies);
  return matching.some((g) => g.effect === "Allow") && !matching.some((g) => g.effect === "Deny");
}

describe("CheckPermission against a reference evaluator", () => {
  it("agrees on every generated question", { timeout: 300_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ nodes, membership, grants, questions }) => {
        const { NamespaceName } = await newNamespace(svc);
        for (const [i, n] of nodes.entries()) {
          await svc.ok("CreateResource", {
            NamespaceName,
            ResourceKey: `n${i}`,
            ResourceName: `n${i}`,
            ResourceType: n.type,
            ...(n.parent >= 0 ? { ParentResourceKey: `n${n.parent}` } : {}),
          });
        }
        for (const g of grants) {
          await svc.ok("GrantPermission", {
            NamespaceName,
            Effect: g.effect,
            ...(g.principal ? { Principal: g.principal } : {}),
            ...(g.action ? { Operation: { Id: g.action } } : {}),
            ...(g.resource ? { Resource: { Type: nodes[g.resource.node]!.type, Id: `n${g.resource.node}`, Operator: g.resource.op } } : {}),
          });
        }
        for (const q of questions) {
          const groups = membership.filter(([u]) => u === q.user).map(([, g]) => ({ Type: "Group", Id: g }));
          const r = await svc.ok("CheckPermission", {
            NamespaceName,
            Principal: { Type: "User", Id: q.user },
            Operation: { Id: q.action },
            Resource: { Type: nodes[q.node]!.type, Id: `n${q.node}` },
            ...(groups.length ? { References: [{ Entity: { Type: "User", Id: q.user }, Parents: groups }] } : {}),
          });
          expect({ q, allowed: r.Allowed }).toEqual({ q, allowed: reference(nodes, membership, grants, q) });
        }
      }),
      { numRuns: 25 },
    );
  });
});
