/**
 * StatefulSet fields that Kubernetes refuses to update in place. Their fingerprints are kept in
 * SUMMARY.md, so the next synth can compare against what is committed and say, before anyone
 * runs `kubectl apply`, which StatefulSet must be recreated (and how) for the change to apply.
 */
import { createHash } from 'crypto';

export const IMMUTABLE_FIELDS = ['selector', 'serviceName', 'podManagementPolicy', 'volumeClaimTemplates'] as const;
type Field = (typeof IMMUTABLE_FIELDS)[number];

/** StatefulSet name -> field -> short digest of the field's value. */
export type Fingerprints = Record<string, Record<Field, string>>;

const HEADING = '## StatefulSet fields Kubernetes will not update in place';

export function fingerprints(manifests: { kind: string; metadata: { name: string }; spec?: any }[]): Fingerprints {
  const out: Fingerprints = {};
  for (const m of manifests.filter((x) => x.kind === 'StatefulSet').sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))) {
    out[m.metadata.name] = Object.fromEntries(
      IMMUTABLE_FIELDS.map((f) => [f, createHash('sha256').update(JSON.stringify(m.spec[f] ?? null)).digest('hex').slice(0, 8)]),
    ) as Record<Field, string>;
  }
  return out;
}

/** The SUMMARY.md section: a table a reviewer can read and the next synth parses. */
export function renderFingerprints(fp: Fingerprints): string {
  const rows = Object.entries(fp).map(([name, f]) => `| ${name} | ${IMMUTABLE_FIELDS.map((k) => f[k]).join(' | ')} |`);
  return `${HEADING}

Digests of what \`kubectl apply\` cannot change on a live StatefulSet. When one changes, synth
warns and says how to roll the change out.

| StatefulSet | ${IMMUTABLE_FIELDS.join(' | ')} |
|---|${IMMUTABLE_FIELDS.map(() => '---|').join('')}
${rows.join('\n')}
`;
}

/** Reads the table back from a SUMMARY.md; empty when there is none (first synth, older output). */
export function parseFingerprints(summary: string): Fingerprints {
  const start = summary.indexOf(HEADING);
  if (start < 0) return {};
  const out: Fingerprints = {};
  for (const line of summary.slice(start).split('\n')) {
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    if (cells.length !== IMMUTABLE_FIELDS.length + 1 || !/^[0-9a-f]{8}$/.test(cells[1])) continue;
    out[cells[0]] = Object.fromEntries(IMMUTABLE_FIELDS.map((f, i) => [f, cells[i + 1]])) as Record<Field, string>;
  }
  return out;
}

/** What to tell the operator for each StatefulSet whose immutable fields changed. */
export function immutableChanges(namespace: string, before: Fingerprints, after: Fingerprints): string[] {
  const out: string[] = [];
  for (const [name, now] of Object.entries(after)) {
    const was = before[name];
    if (!was) continue;
    const changed = IMMUTABLE_FIELDS.filter((f) => was[f] !== now[f]);
    if (!changed.length) continue;
    out.push(
      `StatefulSet ${name}: ${changed.join(', ')} changed, which Kubernetes refuses to update in place. Before applying, run ` +
        `\`kubectl -n ${namespace} delete statefulset ${name} --cascade=orphan\` (pods and volumes stay; the new StatefulSet adopts them)` +
        (changed.includes('volumeClaimTemplates') ? '; existing PersistentVolumeClaims keep their size: resize them separately if the StorageClass allows expansion.' : '.'),
    );
  }
  return out;
}

const RECORD_HEADING = '## Last change Kubernetes cannot apply in place';

/**
 * The SUMMARY.md record of the steps the last change of these digests needs. Kept, unchanged,
 * until the digests change again, so that committing the output (and synthesizing again) never
 * loses the step a reviewer or the person applying it must see.
 */
export function renderRecreations(steps: string[]): string {
  if (!steps.length) return '';
  return `
${RECORD_HEADING}

Recorded by the synth that changed the digests above, and kept until they change again. Before the
first \`kubectl apply\` (or GitOps sync) of that change, once:

${steps.map((s) => `- ${s}`).join('\n')}
`;
}

/** The steps recorded in a SUMMARY.md; empty when there are none. */
export function parseRecreations(summary: string): string[] {
  const start = summary.indexOf(RECORD_HEADING);
  if (start < 0) return [];
  const body = summary.slice(start + RECORD_HEADING.length);
  const end = body.indexOf('\n## ');
  return (end < 0 ? body : body.slice(0, end)).split('\n').filter((l) => l.startsWith('- ')).map((l) => l.slice(2));
}
