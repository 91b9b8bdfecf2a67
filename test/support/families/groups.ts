// Test helpers of the groups family (a group in a fresh pool, a group with a member) and its cases
// for the shared security suite: every group action, with params naming the service's own group.
import type { TestService } from "../harness.js";
import type { CrossAccountCase } from "../security-cases.js";
import { createPool, uniqueName } from "./user-pools.js";
import { newUser } from "./users.js";

export interface GroupRef {
  UserPoolUid: string;
  GroupUid: string;
}

/** A group in a fresh pool (or the given one); fields override the defaults (a unique Name). */
export async function newGroup(svc: TestService, userPoolUid?: string, fields: Record<string, unknown> = {}) {
  const UserPoolUid = userPoolUid ?? (await createPool(svc));
  const group = await svc.ok("CreateGroup", { UserPoolUid, Name: uniqueName("group"), ...fields });
  return { UserPoolUid, GroupUid: group.Uid as string, group };
}

/** A group with one member. */
export async function groupWithMember(svc: TestService) {
  const { UserPoolUid, GroupUid } = await newGroup(svc);
  const { uid } = await newUser(svc, UserPoolUid);
  await svc.ok("AddUsersToGroup", { UserPoolUid, GroupUid, UserUids: [uid] });
  return { UserPoolUid, GroupUid, UserUid: uid };
}

const groupRef = async (svc: TestService): Promise<GroupRef> => {
  const { UserPoolUid, GroupUid } = await newGroup(svc);
  return { UserPoolUid, GroupUid };
};

export const crossAccountCases: CrossAccountCase[] = [
  { action: "CreateGroup", params: async (svc) => ({ UserPoolUid: await createPool(svc), Name: "staff" }) },
  { action: "ListGroups", params: async (svc) => ({ UserPoolUid: (await groupRef(svc)).UserPoolUid }) },
  ...["GetGroup", "DeleteGroup", "ListUsersInGroup"].map((action) => ({ action, params: groupRef })),
  { action: "UpdateGroup", params: async (svc) => ({ ...(await groupRef(svc)), Precedence: 3 }) },
  ...["AddUsersToGroup", "RemoveUsersFromGroup"].map((action) => ({
    action,
    params: async (svc: TestService) => {
      const { UserPoolUid, GroupUid, UserUid } = await groupWithMember(svc);
      return { UserPoolUid, GroupUid, UserUids: [UserUid] };
    },
  })),
  {
    action: "ChangeUsersGroup",
    params: async (svc) => {
      const { UserPoolUid, UserUid } = await groupWithMember(svc);
      return { UserPoolUid, NewGroupUid: (await newGroup(svc, UserPoolUid)).GroupUid, UserUids: [UserUid] };
    },
  },
  {
    action: "ListGroupsForUser",
    params: async (svc) => {
      const { UserPoolUid, UserUid } = await groupWithMember(svc);
      return { UserPoolUid, UserUid };
    },
  },
  {
    action: "ListGroupsForUsers",
    params: async (svc) => {
      const { UserPoolUid, UserUid } = await groupWithMember(svc);
      return { UserPoolUid, UserUids: [UserUid] };
    },
  },
];
