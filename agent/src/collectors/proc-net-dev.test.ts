import { describe, expect, it } from 'vitest';
import { parseProcNetDev } from './proc-net-dev.ts';

const FIXTURE = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo: 9876543210   12345    0    0    0     0          0         0 9876543210   12345    0    0    0     0       0          0
  eth0: 18446744073709 9876543210   17   42    0     0          0      1234 987654321098  8765432109    3    5    0     0       0          0
`;

describe('parseProcNetDev', () => {
  it('parses lo and eth0 with big counters, mapping rx and tx columns', () => {
    expect(parseProcNetDev(FIXTURE)).toEqual([
      {
        interface: 'lo',
        rxBytes: 9876543210,
        rxPackets: 12345,
        rxErrors: 0,
        rxDropped: 0,
        txBytes: 9876543210,
        txPackets: 12345,
        txErrors: 0,
        txDropped: 0,
      },
      {
        interface: 'eth0',
        rxBytes: 18446744073709,
        rxPackets: 9876543210,
        rxErrors: 17,
        rxDropped: 42,
        txBytes: 987654321098,
        txPackets: 8765432109,
        txErrors: 3,
        txDropped: 5,
      },
    ]);
  });

  it('accepts a counter glued to the colon (old kernels)', () => {
    const text = `h1\nh2\neth1:100 2 0 0 0 0 0 0 300 4 0 0 0 0 0 0\n`;
    expect(parseProcNetDev(text)).toMatchObject([{ interface: 'eth1', rxBytes: 100, rxPackets: 2, txBytes: 300, txPackets: 4 }]);
  });

  it('skips the two header lines even if they contain a colon', () => {
    const text = `x: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\ny: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\neth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n`;
    expect(parseProcNetDev(text).map((c) => c.interface)).toEqual(['eth0']);
  });

  it('skips malformed lines and keeps the good ones', () => {
    const text = [
      'header 1',
      'header 2',
      'no colon here 1 2 3',
      '  short: 1 2 3 4 5 6 7 8',
      '  bad: 1 2 3 4 5 6 7 8 9 10 11 x 13 14 15 16',
      '',
      '  eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16',
    ].join('\n');
    expect(parseProcNetDev(text)).toEqual([
      { interface: 'eth0', rxBytes: 1, rxPackets: 2, rxErrors: 3, rxDropped: 4, txBytes: 9, txPackets: 10, txErrors: 11, txDropped: 12 },
    ]);
  });

  it('returns nothing for empty input', () => {
    expect(parseProcNetDev('')).toEqual([]);
  });
});
