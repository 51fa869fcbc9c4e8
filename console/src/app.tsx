import { fetchNodes, type NodeInfo } from './api.ts';
import { CpuChart } from './cpu-chart.tsx';
import { NodeList, nodeKey } from './node-list.tsx';
import { usePoll } from './use-poll.ts';

interface Props {
  refreshMs: number;
}

interface Snapshot {
  nodes: NodeInfo[];
  fetchedAtMs: number;
}

export function App({ refreshMs }: Props) {
  const { data, error, loading } = usePoll<Snapshot>(
    async (signal) => ({ nodes: await fetchNodes(signal), fetchedAtMs: Date.now() }),
    refreshMs,
  );

  return (
    <>
      <header class="topbar">
        <h1>Ballast</h1>
        <span class="topbar-sub">operations console</span>
      </header>
      <main class="content">
        <h2>Nodes</h2>
        {error && (
          <div class="banner error" data-testid="nodes-error" role="alert">
            Could not load nodes: {error.message}
          </div>
        )}
        {loading && !data && <p class="muted">Loading nodes…</p>}
        {data && data.nodes.length === 0 && (
          <p class="empty" data-testid="nodes-empty">
            No agents connected yet
          </p>
        )}
        {data && data.nodes.length > 0 && (
          <>
            <NodeList nodes={data.nodes} nowMs={data.fetchedAtMs} />
            <h2>CPU</h2>
            <div class="charts">
              {data.nodes.map((n) => (
                <CpuChart key={nodeKey(n)} node={n.node} cluster={n.cluster} refreshMs={refreshMs} />
              ))}
            </div>
          </>
        )}
      </main>
    </>
  );
}
