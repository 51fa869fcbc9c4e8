import { USER_ROLES, type UserRole } from '../state/repositories/user-repository.ts';

export type Role = UserRole;
export const ROLES: readonly Role[] = USER_ROLES;

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** Whether `have` includes what `need` may do: an admin may operate, an operator may view. */
export function roleAtLeast(have: Role, need: Role): boolean {
  return RANK[have] >= RANK[need];
}

/** The weaker of two roles: what a token may do when its owner has since lost power. */
export function weakerRole(a: Role, b: Role): Role {
  return RANK[a] <= RANK[b] ? a : b;
}
