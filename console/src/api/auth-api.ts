import type { Principal, Role } from '../state/roles.ts';
import { get, post, put } from './http.ts';

export interface UserView {
  id: string;
  username: string;
  name: string;
  role: Role;
  clientId: string | null;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
  passwordChangedAt: string;
}

interface MeAnswer {
  user: UserView;
  via: 'session' | 'token';
  role: Role;
  clientId: string | null;
  csrfToken?: string;
}

const toPrincipal = (u: UserView, role: Role, clientId: string | null): Principal => ({
  username: u.username,
  name: u.name,
  role,
  clientId,
});

export async function signIn(username: string, password: string): Promise<{ principal: Principal; csrfToken: string }> {
  const a = await post<{ user: UserView; csrfToken: string }>('/api/v1/auth/login', { username, password });
  return { principal: toPrincipal(a.user, a.user.role, a.user.clientId), csrfToken: a.csrfToken };
}

export async function whoAmI(signal?: AbortSignal): Promise<{ principal: Principal; csrfToken?: string; user: UserView }> {
  const me = await get<MeAnswer>('/api/v1/me', { signal });
  return { principal: toPrincipal(me.user, me.role, me.clientId), csrfToken: me.csrfToken, user: me.user };
}

export const signOut = () => post<void>('/api/v1/auth/logout');

export const updateMe = (change: { name?: string; password?: string; currentPassword?: string }) => put<UserView>('/api/v1/me', change);
