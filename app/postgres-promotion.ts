/**
 * The one manual PostgreSQL promotion procedure, as text: synth's warning, SUMMARY.md and the
 * README all come from here (the README quotes `promotionSteps('$NS')`, checked by a test).
 *
 * `postgresql-rw` selects the primary StatefulSet's pods. Relabelling the promoted pod instead
 * would take it away from its own StatefulSet (which would then start a second pod on the same
 * volume), so the Service's selector is replaced: it then selects exactly the promoted pod, by
 * the pod-name label the StatefulSet controller sets, and Nuxeo keeps its configuration.
 */
import { TIER_NAMES } from '../lib/compact-architecture';
import { databaseNames, PGDATA } from '../lib/database/database';

/** The environment-file app's database tier. */
const DB = databaseNames(TIER_NAMES.database);

export const READ_WRITE_SERVICE = DB.readWrite;

/** The pod promoted by the procedure: the first replica. */
export const PROMOTED_POD = `${DB.replica}-0`;

/** postgresql-rw's selector after the procedure: the promoted pod only. */
export function promotedSelector(): Record<string, string> {
  return { 'app.kubernetes.io/instance': DB.replica, 'statefulset.kubernetes.io/pod-name': PROMOTED_POD };
}

/** The shell commands, in order, for a namespace (a literal name, or `$NS` in the README). */
export function promotionSteps(namespace: string): string[] {
  const patch = JSON.stringify([{ op: 'replace', path: '/spec/selector', value: promotedSelector() }]);
  return [
    `kubectl -n ${namespace} scale statefulset ${DB.primary} --replicas=0`,
    `kubectl -n ${namespace} exec ${PROMOTED_POD} -c postgresql -- pg_ctl promote -w -D ${PGDATA}`,
    `kubectl -n ${namespace} patch service ${READ_WRITE_SERVICE} --type=json -p '${patch}'`,
    `kubectl -n ${namespace} get endpointslices -l kubernetes.io/service-name=${READ_WRITE_SERVICE} -o wide`,
  ];
}

/** One paragraph for synth's warning and SUMMARY.md. */
export function promotionSummary(namespace: string): string {
  const [stop, promote, patch] = promotionSteps(namespace);
  return `To promote by hand: pause GitOps sync of this environment, stop the old primary (\`${stop}\`), promote the first replica ` +
    `(\`${promote}\`) and make ${READ_WRITE_SERVICE} select it (\`${patch}\`); Nuxeo keeps using ${READ_WRITE_SERVICE}. ` +
    'Re-applying this output before the generated layout is restored leaves that Service selecting no pod: see README "Manual recovery".';
}
