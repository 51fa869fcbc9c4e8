import { useEffect } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { type ClientView, fetchClients } from '../api/fleet-api.ts';
import { AsyncView } from '../components/async-view.tsx';
import { DataTable } from '../components/data-table.tsx';
import { usePoll } from '../lib/use-poll.ts';
import { refreshMs } from '../state/config.ts';
import { principal } from '../state/session.ts';

/** Clients (tenants) with their clusters; a client's own users go straight to their dashboard. */
export function FleetPage() {
  const { route } = useLocation();
  const own = principal.value?.clientId ?? null;
  useEffect(() => {
    if (own !== null) route(`/clients/${encodeURIComponent(own)}`, true);
  }, [own]);
  const state = usePoll<ClientView[]>(fetchClients, refreshMs.value * 6);
  return (
    <>
      <h1>Fleet</h1>
      <AsyncView state={state} noun="clients" isEmpty={(d) => d.length === 0} empty="No clients yet: create one under Users & tokens.">
        {(clients) => (
          <DataTable
            testId="clients-table"
            rowTestId="client-row"
            rows={clients}
            rowKey={(c) => c.id}
            rowAttrs={(c) => ({ 'data-client': c.id })}
            initialSort={{ key: 'name', dir: 'asc' }}
            onRowClick={(c) => route(`/clients/${encodeURIComponent(c.id)}`)}
            columns={[
              {
                key: 'name',
                label: 'Client',
                value: (c) => c.name,
                render: (c) => <a href={`/clients/${encodeURIComponent(c.id)}`}>{c.name}</a>,
              },
              { key: 'id', label: 'Id', value: (c) => c.id },
              { key: 'clusters', label: 'Clusters', value: (c) => c.clusters.length, numeric: true },
              { key: 'names', label: 'Cluster names', value: (c) => c.clusters.map((k) => k.name).join(', ') },
            ]}
          />
        )}
      </AsyncView>
    </>
  );
}
