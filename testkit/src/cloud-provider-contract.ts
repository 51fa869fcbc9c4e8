import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudCallRecord } from '../../hub/src/cloud/aws-context.ts';
import { CloudError, type CloudErrorCode } from '../../hub/src/cloud/cloud-error.ts';
import type { CloudProvider } from '../../hub/src/cloud/cloud-provider.ts';
import { type LaunchRequest, TAG_KEYS } from '../../hub/src/cloud/cloud-types.ts';

/**
 * One cloud for the contract, with two providers on it and the hooks a test cloud can
 * offer. Hooks a real account cannot offer are optional; their tests are skipped.
 */
export interface CloudContractWorld {
  provider: CloudProvider;
  /** The same cloud read with 5-item pages, so every listing of more than 5 must follow tokens. */
  pagedProvider: CloudProvider;
  /** Calls each provider made, newest last. */
  calls: CloudCallRecord[];
  pagedCalls: CloudCallRecord[];
  /** Requests per call of `provider`, retries included (its maxAttempts). */
  maxAttempts: number;
  imageId: string;
  /** A type with capacity and a spot market in `zones`. */
  instanceType: string;
  /** At least two zones that offer `instanceType`. */
  zones: [string, string, ...string[]];
  /** A volume no instance uses, which the suite may delete. */
  unattachedVolumeId: string;
  /** Makes the pool refuse launches for lack of capacity. */
  exhaustPool?(instanceType: string, zone: string): void;
  /** A pool with no spot market (EC2 answers Unsupported). */
  poolWithoutSpot?: { instanceType: string; zone: string };
  /** Answers the next `times` requests of the EC2 action with the error code. */
  injectFault?(action: string, code: string, times: number): void;
  /** The cloud's current time (a simulator's virtual clock, or Date.now() for a real cloud). */
  nowMs(): number;
  /** Moves the cloud's time forward (pending snapshots complete). */
  advance?(ms: number): Promise<void>;
  close(): Promise<void>;
}

async function cloudError(p: Promise<unknown>): Promise<CloudError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof CloudError) return err;
    throw new Error(`expected a CloudError, got ${String(err)}`, { cause: err });
  }
  throw new Error('expected the call to fail');
}

async function expectCode(p: Promise<unknown>, code: CloudErrorCode): Promise<CloudError> {
  const err = await cloudError(p);
  expect(err.code, err.message).toBe(code);
  return err;
}

/** The CloudProvider contract: every implementation, against every cloud it supports, passes it. */
export function cloudProviderContract(name: string, make: () => Promise<CloudContractWorld>): void {
  describe(`CloudProvider contract: ${name}`, () => {
    let w: CloudContractWorld;
    const run = randomUUID().slice(0, 8);
    let n = 0;
    const request = (over: Partial<LaunchRequest> = {}): LaunchRequest => ({
      instanceType: w.instanceType,
      zone: w.zones[0],
      capacityType: 'on-demand',
      imageId: w.imageId,
      tenant: `t-${run}`,
      cluster: 'contract',
      decisionId: `d-${run}-${++n}`,
      clientToken: `ct-${run}-${n}`,
      ...over,
    });
    const lastPagedCall = (operation: string) => [...w.pagedCalls].reverse().find((c) => c.operation === operation);

    beforeAll(async () => {
      w = await make();
    });
    afterAll(async () => {
      await w?.close();
    });

    it('lists the availability zones, sorted', async () => {
      const zones = await w.provider.describeAvailabilityZones();
      expect(zones.map((z) => z.name)).toEqual(expect.arrayContaining(w.zones));
      expect(zones.map((z) => z.name)).toEqual([...zones.map((z) => z.name)].sort());
    });

    it('lists every instance type across pages, and named ones only', async () => {
      const all = await w.provider.describeInstanceTypes();
      // EC2 serves at most 100 types a page; a region has hundreds, so this read followed tokens.
      if (all.length > 100)
        expect([...w.calls].reverse().find((c) => c.operation === 'describeInstanceTypes')?.requests).toBeGreaterThan(1);
      expect(new Set(all.map((t) => t.instanceType)).size).toBe(all.length);
      const info = all.find((t) => t.instanceType === w.instanceType);
      expect(info?.vcpu).toBeGreaterThan(0);
      expect(info?.memoryMib).toBeGreaterThan(0);
      expect(info?.architectures.length).toBeGreaterThan(0);
      expect(info?.supportsSpot).toBe(true);
      const named = await w.provider.describeInstanceTypes([w.instanceType]);
      expect(named).toEqual([info]);
      await expectCode(w.provider.describeInstanceTypes(['nope.huge']), 'invalid-parameter');
    });

    it('reads the spot price history of types × zones to the end, with the price in effect at the start', async () => {
      const now = w.nowMs();
      const window = { instanceTypes: [w.instanceType], zones: w.zones, startMs: now - 7 * 86_400_000, endMs: now };
      const prices = await w.provider.describeSpotPriceHistory(window);
      const paged = await w.pagedProvider.describeSpotPriceHistory(window);
      expect(paged).toEqual(prices);
      if (prices.length > 5) expect(lastPagedCall('describeSpotPriceHistory')?.requests).toBeGreaterThan(1);
      for (const zone of w.zones) {
        const pool = prices.filter((p) => p.zone === zone);
        expect(pool.length, zone).toBeGreaterThan(0);
        expect(pool.every((p) => p.instanceType === w.instanceType && p.price > 0)).toBe(true);
        expect(pool.map((p) => p.timeMs)).toEqual([...pool.map((p) => p.timeMs)].sort((a, b) => a - b));
        expect(pool[0]?.timeMs).toBeLessThanOrEqual(window.startMs);
      }
      expect(new Set(prices.map((p) => p.zone))).toEqual(new Set(w.zones));
      await expectCode(w.provider.describeSpotPriceHistory({ ...window, endMs: window.startMs - 1 }), 'invalid-parameter');
    });

    it('launches on-demand and spot into the pool with the owner tags', async () => {
      const od = await w.provider.launch(request({ tags: { team: 'x' } }));
      expect(od).toMatchObject({ instanceType: w.instanceType, zone: w.zones[0], capacityType: 'on-demand', imageId: w.imageId });
      expect(od.state === 'pending' || od.state === 'running').toBe(true);
      expect(od.tags).toMatchObject({
        team: 'x',
        [TAG_KEYS.tenant]: `t-${run}`,
        [TAG_KEYS.cluster]: 'contract',
        [TAG_KEYS.managed]: 'true',
      });
      const spot = await w.provider.launch(request({ capacityType: 'spot', zone: w.zones[1] }));
      expect(spot).toMatchObject({ capacityType: 'spot', zone: w.zones[1] });
      const listed = await w.provider.describeInstances({ ids: [od.id, spot.id] });
      expect(listed.map((i) => i.id).sort()).toEqual([od.id, spot.id].sort());
      expect(listed.find((i) => i.id === od.id)?.tags[TAG_KEYS.decision]).toBe(od.tags[TAG_KEYS.decision]);
    });

    it('launches once per client token: a retried launch returns the same instance', async () => {
      const req = request();
      const first = await w.provider.launch(req);
      const again = await w.provider.launch(req);
      expect(again.id).toBe(first.id);
      const byDecision = await w.provider.describeInstances({ tags: { [TAG_KEYS.decision]: req.decisionId } });
      expect(byDecision.map((i) => i.id)).toEqual([first.id]);
      await expectCode(w.provider.launch({ ...req, zone: w.zones[1] }), 'invalid-parameter');
      await expectCode(w.provider.launch(request({ clientToken: 'x'.repeat(65) })), 'invalid-parameter');
    });

    it('maps a pool without capacity to a capacity error naming the pool, without retrying', async (ctx) => {
      if (!w.exhaustPool) return ctx.skip();
      const zone = w.zones[w.zones.length - 1] as string;
      w.exhaustPool(w.instanceType, zone);
      for (const capacityType of ['on-demand', 'spot'] as const) {
        const err = await expectCode(w.provider.launch(request({ zone, capacityType })), 'capacity');
        expect(err.pool).toEqual({ instanceType: w.instanceType, zone, capacityType });
        expect(err.retryable).toBe(true);
        expect(err.attempts).toBe(1);
      }
      if (w.poolWithoutSpot) {
        const { instanceType, zone: z } = w.poolWithoutSpot;
        await expectCode(w.provider.launch(request({ instanceType, zone: z, capacityType: 'spot' })), 'capacity');
      }
    });

    it('describes instances by tag, state and id across pages; unknown ids are absent', async () => {
      const cluster = `paged-${run}`;
      const launched = [];
      for (let k = 0; k < 7; k++) launched.push(await w.provider.launch(request({ cluster })));
      const ids = launched.map((i) => i.id).sort();
      const byTag = await w.pagedProvider.describeInstances({ tags: { [TAG_KEYS.cluster]: cluster } });
      expect(byTag.map((i) => i.id).sort()).toEqual(ids);
      expect(lastPagedCall('describeInstances')?.requests).toBeGreaterThan(1);
      const byIds = await w.pagedProvider.describeInstances({ ids: [...ids, 'i-0000000000000dead'] });
      expect(byIds.map((i) => i.id).sort()).toEqual(ids);
      const live = await w.provider.describeInstances({ tags: { [TAG_KEYS.cluster]: cluster }, states: ['pending', 'running'] });
      expect(live).toHaveLength(7);
      const none = await w.provider.describeInstances({ tags: { [TAG_KEYS.cluster]: cluster }, states: ['stopped'] });
      expect(none).toEqual([]);
      expect(await w.provider.describeInstances({ ids: [] })).toEqual([]);
      await w.provider.terminate(ids);
    });

    it('terminates idempotently: twice, unknown ids, and mixed lists', async () => {
      const a = await w.provider.launch(request());
      const b = await w.provider.launch(request());
      const first = await w.provider.terminate([a.id]);
      expect(first).toEqual([expect.objectContaining({ id: a.id, currentState: expect.stringMatching(/shutting-down|terminated/) })]);
      const second = await w.provider.terminate([a.id, a.id]);
      expect(second).toHaveLength(1);
      expect(second[0]?.currentState).toMatch(/shutting-down|terminated/);
      const ghost = 'i-0000000000000beef';
      const mixed = await w.provider.terminate([ghost, b.id]);
      expect(mixed.map((r) => r.id)).toEqual([ghost, b.id]);
      expect(mixed[0]).toEqual({ id: ghost, previousState: null, currentState: 'terminated' });
      expect(mixed[1]?.currentState).toMatch(/shutting-down|terminated/);
      expect(await w.provider.terminate([])).toEqual([]);
      await expectCode(w.provider.terminate(['not-an-id']), 'invalid-parameter');
    });

    it('tells attached from unattached volumes and deletes only the unattached', async () => {
      const inst = await w.provider.launch(request());
      const own = await w.provider.describeVolumes({ tags: { [TAG_KEYS.decision]: inst.tags[TAG_KEYS.decision] as string } });
      expect(own).toHaveLength(1);
      const root = own[0];
      expect(root?.attachments).toEqual([expect.objectContaining({ instanceId: inst.id, state: 'attached' })]);
      await expectCode(w.provider.deleteVolume(root?.id as string), 'in-use');
      const [spare] = await w.pagedProvider.describeVolumes({ ids: [w.unattachedVolumeId] });
      expect(spare?.attachments).toEqual([]);
      expect(spare?.state).toBe('available');
      await w.provider.deleteVolume(w.unattachedVolumeId);
      expect(await w.provider.describeVolumes({ ids: [w.unattachedVolumeId] })).toEqual([]);
      await expectCode(w.provider.deleteVolume(w.unattachedVolumeId), 'not-found');
      const all = await w.provider.describeVolumes();
      const paged = await w.pagedProvider.describeVolumes();
      expect(paged.map((v) => v.id).sort()).toEqual(all.map((v) => v.id).sort());
      await w.provider.terminate([inst.id]);
    });

    it('keeps a snapshot an image references, and creates and deletes others', async () => {
      const images = await w.provider.describeImages();
      const image = images.find((i) => i.id === w.imageId);
      const imageSnapshot = image?.blockDevices.find((b) => b.snapshotId)?.snapshotId;
      expect(imageSnapshot).toBeTruthy();
      expect(await w.pagedProvider.describeImages()).toEqual(images);
      const snapshots = await w.pagedProvider.describeSnapshots();
      expect(snapshots.map((s) => s.id)).toContain(imageSnapshot);
      await expectCode(w.provider.deleteSnapshot(imageSnapshot as string), 'in-use');

      const inst = await w.provider.launch(request());
      const [root] = await w.provider.describeVolumes({ tags: { [TAG_KEYS.decision]: inst.tags[TAG_KEYS.decision] as string } });
      const snap = await w.provider.createSnapshot({ volumeId: root?.id as string, description: 'contract', tags: { run } });
      expect(snap).toMatchObject({ volumeId: root?.id, description: 'contract', tags: { run } });
      expect(await w.provider.describeSnapshots({ tags: { run } })).toEqual([expect.objectContaining({ id: snap.id })]);
      if (w.advance) {
        await w.advance(10 * 60_000);
        expect((await w.provider.describeSnapshots({ ids: [snap.id] }))[0]?.state).toBe('completed');
      }
      await w.provider.deleteSnapshot(snap.id);
      expect(await w.provider.describeSnapshots({ ids: [snap.id] })).toEqual([]);
      await expectCode(w.provider.deleteSnapshot(snap.id), 'not-found');
      await expectCode(w.provider.createSnapshot({ volumeId: 'vol-0000000000000dead' }), 'not-found');
      await w.provider.terminate([inst.id]);
    });

    it('tags resources; an unknown resource is not-found', async () => {
      const inst = await w.provider.launch(request());
      await w.provider.createTags([inst.id, w.imageId], { [`contract-${run}`]: 'yes' });
      const [listed] = await w.provider.describeInstances({ ids: [inst.id] });
      expect(listed?.tags[`contract-${run}`]).toBe('yes');
      expect((await w.provider.describeImages({ tags: { [`contract-${run}`]: 'yes' } })).map((i) => i.id)).toEqual([w.imageId]);
      await w.provider.createTags([], { a: 'b' });
      await expectCode(w.provider.createTags(['i-0000000000000dead'], { a: 'b' }), 'not-found');
      await w.provider.terminate([inst.id]);
    });

    it('retries throttling, then reports throttled, unavailable and unauthorized', async (ctx) => {
      const inject = w.injectFault;
      if (!inject) return ctx.skip();
      inject('DescribeAvailabilityZones', 'RequestLimitExceeded', 1);
      expect((await w.provider.describeAvailabilityZones()).length).toBeGreaterThan(0);
      inject('DescribeAvailabilityZones', 'RequestLimitExceeded', w.maxAttempts);
      const throttled = await expectCode(w.provider.describeAvailabilityZones(), 'throttled');
      expect(throttled.attempts).toBe(w.maxAttempts);
      expect(throttled.retryable).toBe(true);
      inject('DescribeVolumes', 'ServiceUnavailable', w.maxAttempts);
      expect((await expectCode(w.provider.describeVolumes(), 'unavailable')).providerCode).toBe('ServiceUnavailable');
      inject('DescribeImages', 'UnauthorizedOperation', 1);
      const denied = await expectCode(w.provider.describeImages(), 'unauthorized');
      expect(denied.attempts).toBe(1);
      expect(denied.cause).toBeDefined();
    });
  });
}
