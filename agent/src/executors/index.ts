export { DrainExecutor, type DrainExecutorOptions } from './drain-executor.ts';
export { graceSecondsFor, planDrain, resolvePolicy } from './drain-plan.ts';
export {
  DEFAULT_DRAIN_POLICY,
  DrainError,
  type DrainErrorCode,
  type DrainPolicy,
  type DrainProgressEvent,
  type DrainProgressKind,
  type DrainRequest,
  type DrainResult,
  type DrainSummary,
  type PdbRef,
  type PodOutcome,
  type PodRef,
  type PodReport,
  type SkipReason,
} from './drain-types.ts';
export { classifyPod, MIRROR_ANNOTATION } from './pod-classifier.ts';
