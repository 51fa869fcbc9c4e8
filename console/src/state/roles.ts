export type Role = 'admin' | 'operator' | 'viewer';

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export function roleAtLeast(have: Role, need: Role): boolean {
  return RANK[have] >= RANK[need];
}

export interface Principal {
  username: string;
  name: string;
  role: Role;
  /** The tenant this user is bound to; null = hub staff, who see every client. */
  clientId: string | null;
}

/** Viewers read; operators and admins act. The hub enforces this too: the console only hides what would be refused. */
export const canAct = (p: Principal | null): boolean => p !== null && roleAtLeast(p.role, 'operator');
export const isHubAdmin = (p: Principal | null): boolean => p !== null && p.role === 'admin' && p.clientId === null;
export const isStaff = (p: Principal | null): boolean => p !== null && p.clientId === null;

export interface NavItem {
  href: string;
  label: string;
  visible: (p: Principal) => boolean;
}

const always = () => true;

/** Navigation in one table, so what a role sees is decided in one place. */
export const NAV: readonly NavItem[] = [
  { href: '/', label: 'Live operations', visible: (p) => isHubAdmin(p) },
  { href: '/fleet', label: 'Fleet', visible: always },
  { href: '/agents', label: 'Agents', visible: always },
  { href: '/utilization', label: 'Utilization', visible: always },
  { href: '/jobs', label: 'Jobs', visible: always },
  { href: '/approvals', label: 'Approvals', visible: always },
  { href: '/overrides', label: 'Overrides', visible: always },
  { href: '/storage', label: 'Storage cleanup', visible: always },
  { href: '/governance', label: 'Governance', visible: (p) => isStaff(p) },
  { href: '/controls', label: 'Controls', visible: (p) => isHubAdmin(p) },
  { href: '/audit', label: 'Audit log', visible: always },
  { href: '/admin', label: 'Users & tokens', visible: (p) => p.role === 'admin' },
];

/** Where a user lands after sign-in: admins on live operations, a client's users on their dashboard. */
export function homeFor(p: Principal): string {
  if (isHubAdmin(p)) return '/';
  if (p.clientId !== null) return `/clients/${encodeURIComponent(p.clientId)}`;
  return '/fleet';
}
