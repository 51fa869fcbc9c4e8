import { createServer, type Server } from 'node:http';
import type { AgentStats } from '../agent.ts';

/** /healthz and /metrics (Prometheus text format) for the kubelet's probes and for scraping the agent itself. */
export class StatusServer {
  private server: Server | null = null;
  port = 0;

  constructor(
    private readonly host: string,
    private readonly requestedPort: number,
    private readonly stats: () => AgentStats,
  ) {}

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      if (req.url === '/healthz') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
        return;
      }
      if (req.url === '/metrics') {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(renderMetrics(this.stats()));
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /healthz or /metrics\n');
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.requestedPort, this.host, () => resolve());
    });
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : this.requestedPort;
    this.server = server;
  }

  async shutdown(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export function renderMetrics(s: AgentStats): string {
  const mem = process.memoryUsage();
  const cpu = process.cpuUsage();
  const lines: Array<[string, string, string, number | string]> = [
    ['ballast_agent_last_sequence', 'gauge', 'sequence number of the newest batch', s.lastSequence],
    ['ballast_agent_batches_acked_total', 'counter', 'batches the hub acknowledged as stored', s.batchesAcked],
    ['ballast_agent_batches_rejected_total', 'counter', 'batches the hub rejected', s.batchesRejected],
    ['ballast_agent_buffer_batches', 'gauge', 'un-acked batches held', s.bufferedBatches],
    ['ballast_agent_buffer_points', 'gauge', 'un-acked points held', s.bufferedPoints],
    ['ballast_agent_dropped_batches_total', 'counter', 'batches dropped because the buffer was full', s.droppedBatches],
    ['ballast_agent_dropped_points_total', 'counter', 'points dropped because the buffer was full', s.droppedPoints],
    ['ballast_agent_buffer_bytes', 'gauge', 'bytes the buffer holds (on disk, or estimated heap in memory)', s.bufferBytes],
    [
      'ballast_agent_buffer_on_disk',
      'gauge',
      '1 when un-acked batches are kept on disk and survive a restart',
      s.bufferKind === 'disk' ? 1 : 0,
    ],
    ['ballast_agent_shed_batches_total', 'counter', 'batches shed, oldest first, by the memory limiter', s.shedBatches],
    ['ballast_agent_shed_points_total', 'counter', 'points shed, oldest first, by the memory limiter', s.shedPoints],
    ['ballast_agent_buffer_corrupt_records_total', 'counter', 'torn or corrupt buffer records found and cut off', s.corruptRecords],
    ['ballast_agent_buffer_errors_total', 'counter', 'buffer reads or writes that failed (disk full, I/O errors)', s.bufferErrors],
    ['ballast_agent_dropped_series_total', 'counter', 'samples dropped because the series limit was reached', s.droppedSeries],
    ['ballast_agent_collect_errors_total', 'counter', 'failed collector reads', s.collectErrors],
    ['ballast_agent_connected', 'gauge', '1 while a stream to the hub is open', s.connected ? 1 : 0],
    ['ballast_agent_series', 'gauge', 'distinct series known', s.series],
    ['process_resident_memory_bytes', 'gauge', 'resident memory', mem.rss],
    ['nodejs_heap_total_bytes', 'gauge', 'V8 heap reserved', mem.heapTotal],
    ['nodejs_heap_used_bytes', 'gauge', 'V8 heap in use', mem.heapUsed],
    ['nodejs_external_memory_bytes', 'gauge', 'memory of C++ objects bound to JavaScript ones (buffers included)', mem.external],
    ['process_cpu_seconds_total', 'counter', 'user and system CPU time', (cpu.user + cpu.system) / 1e6],
  ];
  return `${lines.map(([name, type, help, v]) => `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${v}`).join('\n')}\n`;
}
