import type { ComponentStatus } from '../api/fleet-api.ts';
import { Time } from './time.tsx';

/** Each hub component's health, latency and last error, with its recent log lines behind a disclosure. */
export function PipelineTable({ components }: { components: ComponentStatus[] }) {
  return (
    <table class="data-table" data-testid="pipeline-status">
      <thead>
        <tr>
          <th>Component</th>
          <th>Health</th>
          <th class="num">Latency</th>
          <th>Last error</th>
        </tr>
      </thead>
      <tbody>
        {components.map((c) => (
          <tr key={c.name}>
            <td>{c.name}</td>
            <td>
              <span class={`status ${c.health === 'ok' ? 'ok' : c.health === 'degraded' ? 'stale' : 'down'}`}>{c.health}</span>
            </td>
            <td class="num mono">{c.latencyMs === null ? '–' : `${c.latencyMs.toFixed(0)} ms`}</td>
            <td>
              {c.lastError ? (
                <>
                  {c.lastError} {c.lastErrorAt && <Time iso={c.lastErrorAt} />}
                </>
              ) : (
                <span class="muted">none</span>
              )}
              {c.logs.length > 0 && (
                <details>
                  <summary>{c.logs.length} log lines</summary>
                  <pre class="logs">{c.logs.slice(-20).join('\n')}</pre>
                </details>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
