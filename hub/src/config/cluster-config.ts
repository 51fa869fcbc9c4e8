import { field } from '@ballast/common';

/**
 * How the hub reaches its clusters' Kubernetes APIs and what its decision loop may do there.
 * Without a kubeconfig directory the hub reads metrics and runs jobs but decides nothing
 * and drains only through agents.
 */
export const CLUSTER_CONFIG = {
  clusterKubeconfigDir: field({
    kind: 'string',
    flag: 'cluster-kubeconfig-dir',
    env: ['BALLAST_CLUSTER_KUBECONFIG_DIR'],
    default: '',
    help: 'directory of kubeconfigs, one per cluster: <cluster>.yaml for the default client, <client>/<cluster>.yaml for others (a mounted Secret works); empty: no cluster access',
  }),
  decisions: field({
    kind: 'enum',
    flag: 'decisions',
    env: ['BALLAST_DECISIONS'],
    default: 'dry-run',
    values: ['off', 'dry-run', 'execute'] as const,
    help: 'the decision loop on every cluster with a kubeconfig: off, dry-run (decide and record, change nothing) or execute (approved decisions become switch jobs)',
  }),
  decisionIntervalMinutes: field({
    kind: 'int',
    flag: 'decision-interval-minutes',
    env: ['BALLAST_DECISION_INTERVAL_MINUTES'],
    default: 5,
    min: 1,
    max: 1440,
    help: 'how often the decision loop reads each cluster and decides (an interruption notice runs it at once)',
  }),
  decisionPoliciesFile: field({
    kind: 'string',
    flag: 'decision-policies-file',
    env: ['BALLAST_DECISION_POLICIES_FILE'],
    default: '',
    help: 'JSON file of decision policies for every cluster\'s loop (any field of the engine\'s policies but the scoring model, e.g. {"discountPreference": 0, "maxPoolShare": 0.2}); empty: the defaults',
  }),
};
