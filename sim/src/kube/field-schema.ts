import { badRequest } from './api-error.ts';
import type { ResourceDef } from './resources.ts';

/**
 * The field names of the kinds `kubectl apply` sends here, so `fieldValidation=Strict`
 * (kubectl's default since it leaves validation to a server that advertises the
 * parameter, see openapi.ts) refuses a typo as the real apiserver does. A type maps each
 * field to the type of its value: another type's name, or 0 for a value not checked
 * further (scalars, maps of labels or quantities, and sub-objects not modelled here).
 * Lists are transparent: each item is checked against the field's type. Kinds without an
 * entry in KIND_TYPES, and `status` everywhere, accept any field.
 */
type Ref = 0 | string;
type FieldTypes = Record<string, Ref>;

const TYPES: Record<string, FieldTypes> = {
  ObjectMeta: fields(
    'name generateName namespace selfLink uid resourceVersion generation creationTimestamp deletionTimestamp',
    'deletionGracePeriodSeconds labels annotations ownerReferences finalizers managedFields',
  ),
  LabelSelector: fields('matchLabels matchExpressions'),
  PodTemplateSpec: { metadata: 'ObjectMeta', spec: 'PodSpec' },
  PodSpec: {
    ...fields(
      'activeDeadlineSeconds affinity automountServiceAccountToken dnsConfig dnsPolicy enableServiceLinks',
      'ephemeralContainers hostAliases hostIPC hostNetwork hostPID hostUsers hostname imagePullSecrets nodeName',
      'nodeSelector os overhead preemptionPolicy priority priorityClassName readinessGates resourceClaims resources',
      'restartPolicy runtimeClassName schedulerName schedulingGates serviceAccount serviceAccountName',
      'setHostnameAsFQDN shareProcessNamespace subdomain terminationGracePeriodSeconds topologySpreadConstraints',
    ),
    containers: 'Container',
    initContainers: 'Container',
    securityContext: 'PodSecurityContext',
    tolerations: 'Toleration',
    volumes: 'Volume',
  },
  Container: {
    ...fields(
      'args command envFrom image imagePullPolicy lifecycle name resizePolicy restartPolicy stdin stdinOnce',
      'terminationMessagePath terminationMessagePolicy tty volumeDevices workingDir',
    ),
    env: 'EnvVar',
    livenessProbe: 'Probe',
    ports: 'ContainerPort',
    readinessProbe: 'Probe',
    resources: 'ResourceRequirements',
    securityContext: 'SecurityContext',
    startupProbe: 'Probe',
    volumeMounts: 'VolumeMount',
  },
  EnvVar: { ...fields('name value'), valueFrom: 'EnvVarSource' },
  EnvVarSource: { fieldRef: 'ObjectFieldSelector', configMapKeyRef: 'KeySelector', secretKeyRef: 'KeySelector', resourceFieldRef: 0 },
  ObjectFieldSelector: fields('apiVersion fieldPath'),
  KeySelector: fields('name key optional'),
  ContainerPort: fields('containerPort hostIP hostPort name protocol'),
  ResourceRequirements: fields('claims limits requests'),
  Probe: {
    ...fields(
      'exec failureThreshold grpc initialDelaySeconds periodSeconds successThreshold tcpSocket',
      'terminationGracePeriodSeconds timeoutSeconds',
    ),
    httpGet: 'HTTPGetAction',
  },
  HTTPGetAction: fields('host httpHeaders path port scheme'),
  SecurityContext: {
    ...fields(
      'appArmorProfile privileged procMount readOnlyRootFilesystem runAsGroup runAsNonRoot runAsUser seLinuxOptions',
      'windowsOptions allowPrivilegeEscalation',
    ),
    capabilities: 'Capabilities',
    seccompProfile: 'SeccompProfile',
  },
  PodSecurityContext: {
    ...fields(
      'appArmorProfile fsGroup fsGroupChangePolicy runAsGroup runAsNonRoot runAsUser seLinuxChangePolicy seLinuxOptions',
      'supplementalGroups supplementalGroupsPolicy sysctls windowsOptions',
    ),
    seccompProfile: 'SeccompProfile',
  },
  Capabilities: fields('add drop'),
  SeccompProfile: fields('type localhostProfile'),
  Toleration: fields('effect key operator tolerationSeconds value'),
  VolumeMount: fields('mountPath mountPropagation name readOnly recursiveReadOnly subPath subPathExpr'),
  Volume: {
    ...fields(
      'name awsElasticBlockStore azureDisk azureFile cephfs cinder csi downwardAPI ephemeral fc flexVolume flocker',
      'gcePersistentDisk gitRepo glusterfs image iscsi nfs persistentVolumeClaim photonPersistentDisk portworxVolume',
      'projected quobyte rbd scaleIO secret storageos vsphereVolume',
    ),
    hostPath: 'HostPathVolumeSource',
    configMap: 'ConfigMapVolumeSource',
    emptyDir: 'EmptyDirVolumeSource',
  },
  HostPathVolumeSource: fields('path type'),
  ConfigMapVolumeSource: { ...fields('name defaultMode optional'), items: 'KeyToPath' },
  KeyToPath: fields('key path mode'),
  EmptyDirVolumeSource: fields('medium sizeLimit'),
  RollingUpdate: fields('maxUnavailable maxSurge'),
  UpdateStrategy: { type: 0, rollingUpdate: 'RollingUpdate' },
  DaemonSetSpec: {
    ...fields('minReadySeconds revisionHistoryLimit'),
    selector: 'LabelSelector',
    template: 'PodTemplateSpec',
    updateStrategy: 'UpdateStrategy',
  },
  DeploymentSpec: {
    ...fields('replicas minReadySeconds revisionHistoryLimit paused progressDeadlineSeconds'),
    selector: 'LabelSelector',
    template: 'PodTemplateSpec',
    strategy: 'UpdateStrategy',
  },
  ReplicaSetSpec: { ...fields('replicas minReadySeconds'), selector: 'LabelSelector', template: 'PodTemplateSpec' },
  PodDisruptionBudgetSpec: { ...fields('maxUnavailable minAvailable unhealthyPodEvictionPolicy'), selector: 'LabelSelector' },
  ServiceSpec: {
    ...fields(
      'allocateLoadBalancerNodePorts clusterIP clusterIPs externalIPs externalName externalTrafficPolicy',
      'healthCheckNodePort internalTrafficPolicy ipFamilies ipFamilyPolicy loadBalancerClass loadBalancerIP',
      'loadBalancerSourceRanges publishNotReadyAddresses selector sessionAffinity sessionAffinityConfig',
      'trafficDistribution type',
    ),
    ports: 'ServicePort',
  },
  ServicePort: fields('appProtocol name nodePort port protocol targetPort'),
  PolicyRule: fields('apiGroups nonResourceURLs resourceNames resources verbs'),
  RoleRef: fields('apiGroup kind name'),
  Subject: fields('apiGroup kind name namespace'),
};

/** Each kind's top-level fields besides apiVersion, kind and metadata. */
const KIND_TYPES: Record<string, FieldTypes> = {
  Namespace: { spec: 0, status: 0 },
  ServiceAccount: fields('automountServiceAccountToken imagePullSecrets secrets'),
  ConfigMap: fields('data binaryData immutable'),
  Service: { spec: 'ServiceSpec', status: 0 },
  Pod: { spec: 'PodSpec', status: 0 },
  Deployment: { spec: 'DeploymentSpec', status: 0 },
  ReplicaSet: { spec: 'ReplicaSetSpec', status: 0 },
  DaemonSet: { spec: 'DaemonSetSpec', status: 0 },
  PodDisruptionBudget: { spec: 'PodDisruptionBudgetSpec', status: 0 },
  ClusterRole: { rules: 'PolicyRule', aggregationRule: 0 },
  Role: { rules: 'PolicyRule' },
  ClusterRoleBinding: { roleRef: 'RoleRef', subjects: 'Subject' },
  RoleBinding: { roleRef: 'RoleRef', subjects: 'Subject' },
  PriorityClass: fields('value globalDefault description preemptionPolicy'),
};

function fields(...lists: string[]): FieldTypes {
  const out: FieldTypes = {};
  for (const list of lists) for (const name of list.split(/\s+/).filter(Boolean)) out[name] = 0;
  return out;
}

/**
 * Paths of the fields `body` sets that the kind does not have, in Kubernetes' notation
 * (`spec.template.spec.containrs`, `spec.containers[0].imagee`). Strategic-merge
 * directives (`$patch`, `$setElementOrder/…`) are skipped, so patch bodies can be checked too.
 */
export function unknownFields(kind: string, body: unknown): string[] {
  const top = KIND_TYPES[kind];
  if (!top) return [];
  const out: string[] = [];
  walk({ apiVersion: 0, kind: 0, metadata: 'ObjectMeta', ...top }, body, '', out);
  return out;
}

function walk(type: FieldTypes, value: unknown, path: string, out: string[]): void {
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) walk(type, item, `${path}[${i}]`, out);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  for (const [key, child] of Object.entries(value)) {
    if (key.startsWith('$')) continue;
    const childPath = path ? `${path}.${key}` : key;
    if (!Object.hasOwn(type, key)) {
      out.push(childPath);
      continue;
    }
    const ref = type[key];
    if (ref) walk(TYPES[ref] as FieldTypes, child, childPath, out);
  }
}

/**
 * Applies the `fieldValidation` query parameter: `Strict` refuses unknown fields with the
 * apiserver's 400 wording; `Warn` returns them as warnings for the `Warning` header;
 * `Ignore` or no parameter accepts them (stored objects keep every field either way).
 */
export function validateFields(r: ResourceDef, body: unknown, directive: string | null): string[] {
  if (directive !== 'Strict' && directive !== 'Warn') return [];
  const unknown = unknownFields(r.kind, body);
  if (unknown.length === 0) return [];
  const problems = unknown.map((p) => `unknown field "${p}"`);
  if (directive === 'Strict')
    throw badRequest(`${r.kind} in version "${r.version}" cannot be handled as a ${r.kind}: strict decoding error: ${problems.join(', ')}`);
  return problems;
}
