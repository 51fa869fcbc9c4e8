import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MEMINFO_FIELDS, meminfoFields, NodeCollector, parseMountinfo, parseProcStatCpu } from './node-collector.ts';

describe('node collector parsers', () => {
  it('reads the aggregate cpu line of /proc/stat', () => {
    expect(parseProcStatCpu('cpu  4705 356 584 3699 23 23 0 0 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\nintr 1 2\n')).toEqual({
      user: 4705,
      nice: 356,
      system: 584,
      idle: 3699,
      iowait: 23,
      irq: 23,
      softirq: 0,
      steal: 0,
    });
    expect(parseProcStatCpu('cpu0 1 2 3 4\n')).toBeUndefined();
  });

  it('reads the /proc/meminfo fields it needs in bytes, NaN for those absent', () => {
    const out = new Float64Array(MEMINFO_FIELDS.length);
    meminfoFields(
      'MemTotal:       16384 kB\nMemFree:         1024 kB\nMemAvailable:    8192 kB\nHugePages_Total:       0\nSwapTotal: 7',
      out,
    );
    expect(Object.fromEntries(MEMINFO_FIELDS.map((k, i) => [k, out[i]]))).toEqual({
      MemTotal: 16384 * 1024,
      MemFree: 1024 * 1024,
      MemAvailable: 8192 * 1024,
      Buffers: Number.NaN,
      Cached: Number.NaN,
      SReclaimable: Number.NaN,
      SwapTotal: 7,
      SwapFree: Number.NaN,
    });
    // This machine's file, against a plain split-and-parse of every line.
    const text = readFileSync('/proc/meminfo', 'latin1');
    const all: Record<string, number> = {};
    for (const line of text.split('\n')) {
      const [k, rest] = line.split(':');
      if (k && rest) all[k] = Number.parseInt(rest, 10) * (line.endsWith(' kB') ? 1024 : 1);
    }
    meminfoFields(text, out);
    // A field never matches a longer one it prefixes (MemFree, not MemFreeX; Cached, not SwapCached).
    expect(Object.fromEntries(MEMINFO_FIELDS.map((k, i) => [k, out[i]]))).toEqual(
      Object.fromEntries(MEMINFO_FIELDS.map((k) => [k, all[k] ?? Number.NaN])),
    );
  });

  it('keeps local disks once per device (shortest mount point), skips pseudo, remote and memory filesystems', () => {
    const text = [
      '22 27 0:21 / /proc rw,relatime - proc proc rw',
      '27 1 254:0 / / rw,relatime - ext4 /dev/vda rw',
      '30 27 254:0 /var/lib/kubelet /var/lib/kubelet rw,relatime shared:1 - ext4 /dev/vda rw',
      '31 27 259:1 / /mnt/data\\040disk rw - xfs /dev/nvme1n1 rw',
      '32 27 0:40 / /dev/shm rw - tmpfs tmpfs rw',
      '33 27 0:41 / /mnt/nfs rw - nfs4 server:/export rw',
      '34 27 0:42 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw',
      '35 27 7:0 / /snap/core rw - squashfs /dev/loop0 ro',
      '36 1 0:50 / /run/containerd/rootfs rw - overlay overlay rw,lowerdir=/a',
    ].join('\n');
    expect(parseMountinfo(text)).toEqual([
      { dev: '254:0', mountpoint: '/', fstype: 'ext4', source: '/dev/vda' },
      { dev: '259:1', mountpoint: '/mnt/data disk', fstype: 'xfs', source: '/dev/nvme1n1' },
      { dev: '0:50', mountpoint: '/run/containerd/rootfs', fstype: 'overlay', source: 'overlay' },
    ]);
  });

  it('reports this machine’s CPU shares adding up to 100, memory, the root filesystem and loopback', async () => {
    const c = new NodeCollector({ procNetDevPath: '/proc/net/dev', onError: (s, e) => expect.fail(`${s}: ${e}`) });
    await c.start();
    await new Promise((r) => setTimeout(r, 1_100));
    const samples = await c.collect();
    const modes = samples.filter((s) => s.metric === 'node_cpu_mode_percent');
    expect(modes.map((s) => s.labels['mode'])).toEqual(['user', 'system', 'nice', 'idle', 'irq', 'steal']);
    expect(modes.reduce((a, s) => a + s.value, 0)).toBeCloseTo(100, 6);
    const usage = samples.find((s) => s.metric === 'node_cpu_usage_percent')?.value;
    expect(usage).toBeCloseTo(100 - (modes[3]?.value ?? 0), 6);
    const mem = Object.fromEntries(samples.filter((s) => s.metric.startsWith('node_memory_')).map((s) => [s.metric, s.value]));
    expect(mem['node_memory_used_bytes']).toBe((mem['node_memory_total_bytes'] ?? 0) - (mem['node_memory_available_bytes'] ?? 0));
    expect(samples.some((s) => s.metric === 'node_filesystem_size_bytes' && s.labels['mountpoint'] === '/')).toBe(true);
    expect(samples.some((s) => s.metric === 'node_network_receive_bytes_total' && s.labels['interface'] === 'lo')).toBe(true);
    expect(samples.filter((s) => s.metric.startsWith('node_load')).map((s) => s.metric)).toEqual([
      'node_load1',
      'node_load5',
      'node_load15',
    ]);
    await c.shutdown();
  });
});
