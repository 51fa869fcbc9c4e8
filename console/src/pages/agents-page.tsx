import { fetchNodes, type NodeInfo } from '../api/nodes-api.ts';
import { AsyncView } from '../components/async-view.tsx';
import { CpuChart } from '../components/cpu-chart.tsx';
import { NodeList, nodeKey } from '../components/node-list.tsx';
import { usePoll } from '../lib/use-poll.ts';
import { agentsRefreshMs, refreshMs } from '../state/config.ts';

interface Snapshot {
  nodes: NodeInfo[];
  fetchedAtMs: number;
}

/** Every agent: version, last seen, buffer depth, health; and each node's CPU. Refreshes at least every 30 s. */
export function AgentsPage() {
  const interval = agentsRefreshMs();
  const state = usePoll<Snapshot>(async (signal) => ({ nodes: await fetchNodes(signal), fetchedAtMs: Date.now() }), interval);
  return (
    <>
      <h1>Agents</h1>
      <AsyncView state={state} noun="nodes" isEmpty={(d) => d.nodes.length === 0} empty="No agents connected yet">
        {(d) => (
          <>
            <NodeList nodes={d.nodes} nowMs={d.fetchedAtMs} staleMs={Math.max(3 * interval, 30_000)} />
            <h2>CPU</h2>
            <div class="charts">
              {d.nodes.slice(0, 24).map((n) => (
                <CpuChart key={nodeKey(n)} node={n.node} cluster={n.cluster} refreshMs={refreshMs.value} />
              ))}
            </div>
          </>
        )}
      </AsyncView>
    </>
  );
}
