/**
 * The CronJob skeleton of the backup jobs: the same restricted pod as every workload (non-root
 * UID >= 10000, read-only root, a ServiceAccount of its own without token, priority class), one
 * run at a time.
 */
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { checksumAnnotation } from './checksum';
import { workloadLabels } from './labels';
import { PodProps, podIdentity, serviceAccount } from './stateful-workload';

/** A job's own ServiceAccount (no token), and no placement of its own. */
const JOB_POD = { serviceAccount: { create: true, annotations: {} }, nodeSelector: {}, tolerations: [], affinity: {}, podLabels: {}, podAnnotations: {} };

/** `id`: the labels of the job's pods, which its NetworkPolicy selects. */
export interface ScheduledJobProps extends PodProps {
  /** CronJob name. */
  readonly name: string;
  /** Cron schedule, UTC. */
  readonly schedule: string;
  /**
   * Created suspended: runs only when a person starts it (`kubectl create job --from=cronjob/<name>`).
   * @default false
   */
  readonly suspend?: boolean;
  /** Longest a run may take. */
  readonly activeDeadlineSeconds: number;
  /**
   * Retries of a failed run.
   * @default 2
   */
  readonly backoffLimit?: number;
}

export function scheduledJob(scope: Construct, p: ScheduledJobProps): k8s.KubeCronJob {
  const account = serviceAccount(scope, p.id, JOB_POD);
  return new k8s.KubeCronJob(scope, `${p.name}-cronjob`, {
    metadata: { name: p.name, labels: workloadLabels(p.id) },
    spec: {
      schedule: p.schedule,
      timeZone: 'Etc/UTC',
      ...(p.suspend ? { suspend: true } : {}),
      concurrencyPolicy: 'Forbid',
      // A run missed by more than an hour (controller down) waits for the next slot.
      startingDeadlineSeconds: 3600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        spec: {
          backoffLimit: p.backoffLimit ?? 2,
          activeDeadlineSeconds: p.activeDeadlineSeconds,
          template: {
            metadata: { labels: workloadLabels(p.id), annotations: checksumAnnotation(p.configChecksum) },
            spec: {
              restartPolicy: 'Never',
              ...podIdentity(p, account),
              containers: p.containers,
              ...(p.volumes?.length ? { volumes: p.volumes } : {}),
            },
          },
        },
      },
    },
  });
}
