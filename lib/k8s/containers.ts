/** Containers: the restricted security context, pull policy, resources, probes and env helpers. */
import { k8s } from 'cdk8s-plus-27';
import { isDigestImage } from '../settings/fields';

/** CPU, memory and ephemeral-storage quantities ('250m', '512Mi', '1Gi'). */
export interface Quantities {
  readonly cpu: string;
  readonly memory: string;
  readonly ephemeralStorage: string;
}

/** A container's requests and limits, each quantity given. */
export interface Resources {
  readonly requests: Quantities;
  readonly limits: Quantities;
}

export function podSecurityContext(uid: number): k8s.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export function containerSecurityContext(uid: number): k8s.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export function resources(r: Resources): k8s.ResourceRequirements {
  const q = (s: Quantities) => ({
    'cpu': k8s.Quantity.fromString(s.cpu),
    'ephemeral-storage': k8s.Quantity.fromString(s.ephemeralStorage),
    'memory': k8s.Quantity.fromString(s.memory),
  });
  return { requests: q(r.requests), limits: q(r.limits) };
}

/** Small fixed resources for helper init containers (copying files, waiting). */
export const INIT_RESOURCES: Resources = {
  requests: { cpu: '50m', memory: '64Mi', ephemeralStorage: '16Mi' },
  limits: { cpu: '500m', memory: '256Mi', ephemeralStorage: '64Mi' },
};

/**
 * A digest never changes, so the node's copy is the image: IfNotPresent. A tag can be re-pushed,
 * and Always makes the node re-check the pull credentials of every pod (kube-score, Polaris).
 */
export function pullPolicy(image: string): 'Always' | 'IfNotPresent' {
  return isDigestImage(image) ? 'IfNotPresent' : 'Always';
}

/** A container with the shared security context, pull policy and resources filled in. */
export function container(uid: number, c: Omit<k8s.Container, 'securityContext' | 'imagePullPolicy' | 'resources'> & { resources: Resources }): k8s.Container {
  return { ...c, imagePullPolicy: pullPolicy(c.image!), resources: resources(c.resources), securityContext: containerSecurityContext(uid) };
}

/** Exec probe running a shell snippet. */
export function execProbe(script: string, opts: Omit<k8s.Probe, 'exec'>): k8s.Probe {
  return { exec: { command: ['sh', '-c', script] }, ...opts };
}

/** Env var from the downward API. */
export function fieldEnv(name: string, fieldPath: string): k8s.EnvVar {
  return { name, valueFrom: { fieldRef: { fieldPath } } };
}

/** A key of an existing Secret; its value is never written into the manifests. */
export interface SecretKeyRef {
  readonly name: string;
  readonly key: string;
}

export function secretEnv(name: string, ref: SecretKeyRef): k8s.EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: ref.name, key: ref.key } } };
}
