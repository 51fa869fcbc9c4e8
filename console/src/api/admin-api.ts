import type { Role } from '../state/roles.ts';
import type { UserView } from './auth-api.ts';
import type { ClientView } from './fleet-api.ts';
import { del, get, patch, post } from './http.ts';

export const fetchUsers = async (signal?: AbortSignal) => (await get<{ users: UserView[] }>('/api/v1/users', { signal })).users;

export interface NewUser {
  username: string;
  name?: string;
  password: string;
  role: Role;
  clientId?: string | null;
}

export const createUser = (u: NewUser) => post<UserView>('/api/v1/users', u);
export const updateUser = (id: string, change: { role?: Role; disabled?: boolean; name?: string }) =>
  patch<UserView>(`/api/v1/users/${encodeURIComponent(id)}`, change);
export const deleteUser = (id: string) => del<void>(`/api/v1/users/${encodeURIComponent(id)}`);

export const createClient = (id: string, name: string) => post<ClientView>('/api/v1/clients', { id, name });

export interface TokenView {
  id: string;
  name: string;
  prefix: string;
  owner: string;
  role: Role;
  clientId: string | null;
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  active: boolean;
}

export const fetchTokens = async (signal?: AbortSignal) => (await get<{ tokens: TokenView[] }>('/api/v1/tokens', { signal })).tokens;
export const createToken = (name: string, role: Role, expiresInDays: number) =>
  post<TokenView & { token: string }>('/api/v1/tokens', { name, role, expiresInDays });
export const revokeToken = (id: string) => del<void>(`/api/v1/tokens/${encodeURIComponent(id)}`);
