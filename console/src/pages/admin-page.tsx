import { ClientsAdmin } from '../components/clients-admin.tsx';
import { TokensAdmin } from '../components/tokens-admin.tsx';
import { UsersAdmin } from '../components/users-admin.tsx';
import { isStaff } from '../state/roles.ts';
import { principal } from '../state/session.ts';

/** Users, clients and API tokens, for admins (a client's admin: that client's only). */
export function AdminPage() {
  return (
    <>
      <h1>Users, clients and tokens</h1>
      <UsersAdmin />
      {isStaff(principal.value) && <ClientsAdmin />}
      <TokensAdmin />
    </>
  );
}
