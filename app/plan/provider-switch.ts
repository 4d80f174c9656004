/**
 * Moving the Nuxeo database between `database.provider`s: a logical dump of the old primary,
 * restored into the new one while Nuxeo is stopped. The pg_dump / pg_restore argument lists are
 * the ones test/servers/provider-switch.test.ts runs between two real PostgreSQL servers.
 */

export type Provider = 'statefulset' | 'cloudnativepg';

/** The dump, written to stdout: custom format, no owner or grants (the target has its own roles). */
export function dumpArgs(database: string): string[] {
  return ['pg_dump', '--format=custom', '--no-owner', '--no-privileges', '--username=postgres', `--dbname=${database}`];
}

/** The restore, read from stdin, as one transaction owned by the application role. */
export function restoreArgs(database: string, owner: string): string[] {
  return ['pg_restore', '--no-owner', '--no-privileges', `--role=${owner}`, '--single-transaction', '--exit-on-error', '--username=postgres', `--dbname=${database}`];
}

/** `kubectl exec` into a provider's primary, as its postgres account (peer authentication on the local socket). */
function execPrimary(ns: string, provider: Provider, cluster: string, stdin: boolean): string {
  const pod = provider === 'cloudnativepg' ? `"$(kubectl -n ${ns} get cluster ${cluster} -o jsonpath='{.status.currentPrimary}')"` : `${cluster}-primary-0`;
  const container = provider === 'cloudnativepg' ? 'postgres' : 'postgresql';
  return `kubectl -n ${ns} exec ${stdin ? '-i ' : ''}${pod} -c ${container} --`;
}

export interface SwitchOptions {
  readonly namespace: string;
  readonly env: string;
  readonly from: Provider;
  readonly to: Provider;
  /** @default 'postgresql' */
  readonly cluster?: string;
  /** @default 'nuxeo' */
  readonly database?: string;
  /** @default 'nuxeo' */
  readonly owner?: string;
  /** Nuxeo replicas to start again. */
  readonly nuxeoReplicas: number;
}

/** The runbook's commands, in order (docs/provider-switch.md explains each). */
export function providerSwitchCommands(o: SwitchOptions): string[] {
  const cluster = o.cluster ?? 'postgresql';
  const [db, owner] = [o.database ?? 'nuxeo', o.owner ?? 'nuxeo'];
  const k = `kubectl -n ${o.namespace}`;
  return [
    `${k} scale statefulset nuxeo --replicas=0 && ${k} wait --for=delete pod -l app.kubernetes.io/name=nuxeo --timeout=10m`,
    `${execPrimary(o.namespace, o.from, cluster, false)} ${dumpArgs(db).join(' ')} > ${db}.dump`,
    ...(o.to === 'cloudnativepg' ? [`${k} delete service ${cluster}-rw ${cluster}-ro --ignore-not-found`] : []),
    `kubectl apply -f dist/${o.env}/  # with --prune or a GitOps sync: the old provider's objects go`,
    o.to === 'cloudnativepg'
      ? `${k} wait --for=condition=Ready cluster/${cluster} --timeout=20m`
      : `${k} rollout status statefulset ${cluster}-primary --timeout=20m`,
    `${execPrimary(o.namespace, o.to, cluster, true)} ${restoreArgs(db, owner).join(' ')} < ${db}.dump`,
    `${k} scale statefulset nuxeo --replicas=${o.nuxeoReplicas}`,
  ];
}
