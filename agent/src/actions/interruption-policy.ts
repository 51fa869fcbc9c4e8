import type { Taint } from '../executors/cluster-port.ts';

/** What the agent does on its own when a notice arrives (the hub may order more). */
export type NoticeAction = 'cordon-and-drain' | 'cordon' | 'none';

export interface InterruptionPolicy {
  spotInterruption: NoticeAction;
  rebalanceRecommendation: NoticeAction;
  scheduledEvent: NoticeAction;
  /** Added with the cordon so nothing new lands on a node that is going away. */
  taint: Taint;
  deleteEmptyDirData: boolean;
  forceAtDeadline: boolean;
  preDrainHookMs: number;
}

/** `key=value:Effect`, as kubectl writes taints. */
export function parseTaint(text: string): Taint {
  const m = /^([A-Za-z0-9./_-]+)(?:=([A-Za-z0-9._-]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(text);
  if (!m) throw new Error(`"${text}" is not a taint like key=value:NoSchedule`);
  return { key: m[1] as string, value: m[2] ?? '', effect: m[3] as Taint['effect'] };
}
