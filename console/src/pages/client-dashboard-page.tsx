import { useMemo, useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import type { TopologyNode } from '../api/fleet-api.ts';
import { loadTopology, type TopologyAnswer } from '../api/topology-source.ts';
import { AsyncView } from '../components/async-view.tsx';
import { DataTable, type TableColumn } from '../components/data-table.tsx';
import { ForceOnDemand } from '../components/force-on-demand.tsx';
import { SavingsChart } from '../components/savings-chart.tsx';
import { TopologyView } from '../components/topology-view.tsx';
import { formatDuration, formatMoney, formatPercent } from '../lib/format.ts';
import { usePoll } from '../lib/use-poll.ts';
import { useStream } from '../lib/use-stream.ts';
import { refreshMs } from '../state/config.ts';
import { canAct } from '../state/roles.ts';
import { principal } from '../state/session.ts';

type Row = TopologyNode & { cluster: string };

const HOT_MS = 10_000;

function columns(nowMs: number): TableColumn<Row>[] {
  const pct = (v: number | null) => (v === null ? null : v / 100);
  return [
    {
      key: 'name',
      label: 'Node',
      value: (r) => r.name,
      render: (r) => (r.instanceId ? <a href={`/instances/${encodeURIComponent(r.instanceId)}`}>{r.name}</a> : r.name),
    },
    { key: 'cluster', label: 'Cluster', value: (r) => r.cluster },
    { key: 'pool', label: 'Pool', value: (r) => r.pool },
    {
      key: 'lifecycle',
      label: 'Lifecycle',
      value: (r) => r.lifecycle,
      render: (r) => (
        <span class={`badge lifecycle-${r.lifecycle}`} data-testid="lifecycle">
          {r.lifecycle}
        </span>
      ),
    },
    { key: 'price', label: 'Price/h', value: (r) => r.pricePerHour, numeric: true, render: (r) => formatMoney(r.pricePerHour) },
    { key: 'score', label: 'Score', value: (r) => r.score, numeric: true, render: (r) => (r.score === null ? '–' : r.score.toFixed(2)) },
    {
      key: 'age',
      label: 'Age',
      value: (r) => (r.launchedAt ? nowMs - Date.parse(r.launchedAt) : null),
      numeric: true,
      render: (r) => (r.launchedAt ? formatDuration(nowMs - Date.parse(r.launchedAt)) : '–'),
    },
    {
      key: 'agent',
      label: 'Agent',
      value: (r) => (r.connected === null ? null : r.connected ? 'connected' : 'gone'),
      render: (r) =>
        r.connected === null ? (
          '–'
        ) : (
          <span class={`status ${r.connected ? 'ok' : 'down'}`} title={r.lastSeen ? `last seen ${r.lastSeen}` : undefined}>
            {r.connected ? 'connected' : 'gone'}
          </span>
        ),
    },
    { key: 'cpu', label: 'CPU', value: (r) => r.cpuPercent, numeric: true, render: (r) => formatPercent(pct(r.cpuPercent), 0) },
    { key: 'mem', label: 'Memory', value: (r) => r.memoryPercent, numeric: true, render: (r) => formatPercent(pct(r.memoryPercent), 0) },
  ];
}

/** One client: fleet topology, savings, and every node of every cluster in one sortable table. */
export function ClientDashboardPage() {
  const { params } = useRoute();
  const { route } = useLocation();
  const clientId = params.id ?? '';
  const who = principal.value;
  const [mode, setMode] = useState<'cycle' | 'live'>('cycle');
  const [hot, setHot] = useState<Map<string, string>>(new Map());
  const [cluster, setCluster] = useState<string>('');
  const state = usePoll<TopologyAnswer & { at: number }>(
    async (s) => {
      const at = Date.now();
      return { ...(await loadTopology(clientId, at, s)), at };
    },
    refreshMs.value,
    [clientId],
  );

  useStream(undefined, (e) => {
    const node = typeof e.data.node === 'string' ? e.data.node : typeof e.data.nodeName === 'string' ? e.data.nodeName : undefined;
    if (node) {
      const kind = e.kind.includes('interrupt') ? 'interruption' : 'switch';
      setHot((h) => new Map(h).set(node, kind));
      window.setTimeout(
        () =>
          setHot((h) => {
            const next = new Map(h);
            next.delete(node);
            return next;
          }),
        HOT_MS,
      );
    }
    if (e.kind.startsWith('switch') || e.kind.startsWith('job') || e.kind.startsWith('agent')) state.reload();
  });

  const rows = useMemo<Row[]>(
    () => (state.data?.clusters ?? []).flatMap((c) => c.pools.flatMap((p) => p.nodes.map((n) => ({ ...n, cluster: c.name })))),
    [state.data],
  );
  const cols = useMemo(() => columns(state.data?.at ?? 0), [state.data]);
  const shownRows = useMemo(() => (cluster === '' ? rows : rows.filter((r) => r.cluster === cluster)), [rows, cluster]);
  const clusters = state.data?.clusters ?? [];

  return (
    <>
      <header class="page-head">
        <h1>Client {clientId}</h1>
        {canAct(who) && <ForceOnDemand level="clients" id={clientId} label={`client ${clientId}`} />}
      </header>
      <AsyncView state={state} noun="topology" isEmpty={(d) => d.clusters.length === 0} empty="No clusters with nodes for this client yet.">
        {(d) => (
          <>
            <section class="panel">
              <header class="panel-head">
                <h2>Topology</h2>
                <fieldset class="segmented" aria-label="Topology view">
                  <button type="button" aria-pressed={mode === 'cycle'} onClick={() => setMode('cycle')}>
                    Cycle
                  </button>
                  <button type="button" aria-pressed={mode === 'live'} onClick={() => setMode('live')}>
                    Live
                  </button>
                </fieldset>
              </header>
              {d.source === 'agents' && <p class="muted">Built from the agents' reports (this hub has no topology endpoint).</p>}
              <TopologyView clusters={d.clusters} mode={mode} hot={hot} />
            </section>
          </>
        )}
      </AsyncView>
      <SavingsChart clientId={clientId} />
      <section class="panel">
        <header class="panel-head">
          <h2>Nodes</h2>
          <label>
            Cluster{' '}
            <select value={cluster} onChange={(e) => setCluster((e.target as HTMLSelectElement).value)} data-testid="cluster-select">
              <option value="">All clusters</option>
              {clusters.map((c) => (
                <option key={c.id} value={c.name}>
                  {c.name}
                </option>
              ))}
            </select>
          </label>
          {cluster !== '' && canAct(who) && (
            <ForceOnDemand level="clusters" id={clusters.find((c) => c.name === cluster)?.id ?? cluster} label={`cluster ${cluster}`} />
          )}
        </header>
        {rows.length > 0 && (
          <DataTable
            testId="nodes-table"
            rowTestId="dash-node-row"
            rows={shownRows}
            columns={cols}
            rowKey={(r) => `${r.cluster}/${r.name}`}
            rowAttrs={(r) => ({ 'data-node': r.name, 'data-lifecycle': r.lifecycle, 'data-connected': String(r.connected) })}
            initialSort={{ key: 'name', dir: 'asc' }}
            onRowClick={(r) => r.instanceId && route(`/instances/${encodeURIComponent(r.instanceId)}`)}
            filterLabel="Filter nodes (name, pool, lifecycle…)"
          />
        )}
      </section>
    </>
  );
}
