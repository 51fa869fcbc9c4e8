import { useEffect, useState } from 'preact/hooks';
import type { TopologyCluster } from '../api/fleet-api.ts';

interface Props {
  clusters: TopologyCluster[];
  mode: 'cycle' | 'live';
  /** Nodes with a recent event (switch, interruption), highlighted in the live view. */
  hot: ReadonlyMap<string, string>;
  cycleMs?: number;
}

/**
 * The fleet as boxes: cluster → node pools → one square per node, coloured by lifecycle.
 * The cycle view shows one cluster at a time and rotates; the live view shows all and marks
 * nodes an event just touched.
 */
export function TopologyView({ clusters, mode, hot, cycleMs = 8000 }: Props) {
  const [index, setIndex] = useState(0);
  useEffect(() => {
    if (mode !== 'cycle' || clusters.length < 2) return;
    const t = window.setInterval(() => setIndex((i) => (i + 1) % clusters.length), cycleMs);
    return () => window.clearInterval(t);
  }, [mode, clusters.length, cycleMs]);
  const shown =
    mode === 'cycle' ? clusters.slice(index % Math.max(1, clusters.length), (index % Math.max(1, clusters.length)) + 1) : clusters;
  return (
    <div class="topology" data-testid="topology" data-mode={mode}>
      {shown.map((c) => (
        <section key={c.id} class="topo-cluster">
          <h3>
            {c.name}
            {mode === 'cycle' && clusters.length > 1 && (
              <span class="muted">
                {' '}
                ({(index % clusters.length) + 1} of {clusters.length})
              </span>
            )}
          </h3>
          <div class="topo-pools">
            {c.pools.map((p) => (
              <div key={p.name} class="topo-pool">
                <div class="topo-pool-name mono">{p.name}</div>
                <div class="topo-nodes">
                  {p.nodes.map((n) => (
                    <span
                      key={n.name}
                      class={`topo-node lifecycle-${n.lifecycle}${hot.has(n.name) ? ` hot-${hot.get(n.name)}` : ''}`}
                      title={`${n.name} · ${n.instanceType} · ${n.lifecycle}`}
                      data-node={n.name}
                    />
                  ))}
                </div>
              </div>
            ))}
          </div>
        </section>
      ))}
    </div>
  );
}
