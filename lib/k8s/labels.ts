/** Labels and selectors: every object says what it is, and selectors use our own labels only. */

export const MANAGED_BY = 'nuxeo-compact-k8s';
export const PART_OF = 'nuxeo-compact';

/** The identity of one workload: its selector labels are `name` + `instance` and never change. */
export interface WorkloadIdentity {
  /** `app.kubernetes.io/name`: the application (nuxeo, redis, elasticsearch, postgresql). */
  readonly app: string;
  /** `app.kubernetes.io/instance`: the workload's own name (== its controller's metadata.name). */
  readonly instance: string;
  /** `app.kubernetes.io/component`: its role in the architecture. */
  readonly component: string;
}

export function selectorLabels(id: WorkloadIdentity): Record<string, string> {
  return { 'app.kubernetes.io/instance': id.instance, 'app.kubernetes.io/name': id.app };
}

export function workloadLabels(id: WorkloadIdentity): Record<string, string> {
  return {
    ...selectorLabels(id),
    'app.kubernetes.io/component': id.component,
    'app.kubernetes.io/managed-by': MANAGED_BY,
    'app.kubernetes.io/part-of': PART_OF,
  };
}

/** Labels for objects that belong to a tier but are not a workload (Services, ConfigMaps ...). */
export function tierLabels(app: string, component: string): Record<string, string> {
  return { 'app.kubernetes.io/component': component, 'app.kubernetes.io/managed-by': MANAGED_BY, 'app.kubernetes.io/name': app, 'app.kubernetes.io/part-of': PART_OF };
}
