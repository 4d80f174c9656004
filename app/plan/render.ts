/**
 * The plan as a pull-request comment (Markdown: a one-line verdict, then one table per
 * environment, the riskiest first) and as the versioned JSON document bots gate on.
 */
import { byRisk, rank } from './plan';
import { Change, EFFECT_LABELS, EFFECTS, Effect, PLAN_VERSION } from './types';

export interface EnvironmentPlan {
  readonly name: string;
  readonly namespace: string;
  readonly changes: Change[];
}

export interface PlanDocument {
  readonly version: number;
  /** The revision compared with (abbreviated commit). */
  readonly base: string;
  readonly environments: EnvironmentPlan[];
}

/** Environments with the riskiest change first; unchanged ones last, by name. */
export function planDocument(base: string, environments: EnvironmentPlan[]): PlanDocument {
  const worst = (e: EnvironmentPlan) => (e.changes.length ? Math.min(...e.changes.map(rank)) : EFFECTS.length);
  const sorted = environments.map((e) => ({ ...e, changes: [...e.changes].sort(byRisk) }))
    .sort((a, b) => worst(a) - worst(b) || a.name.localeCompare(b.name));
  return { version: PLAN_VERSION, base, environments: sorted };
}

/** Changes a person must act on before (or instead of) applying. */
export function needsAttention(c: Change): boolean {
  return c.effect === 'rejected' || c.effect === 'new-secret' || c.effect === 'operator-action' || c.dataAtStake;
}

function counts(changes: Change[]): string {
  const n = new Map<Effect, number>();
  for (const c of changes) n.set(c.effect, (n.get(c.effect) ?? 0) + 1);
  return EFFECTS.filter((e) => n.has(e)).map((e) => `${n.get(e)} ${EFFECT_LABELS[e]}`).join(', ');
}

export function verdict(doc: PlanDocument): string {
  const all = doc.environments.flatMap((e) => e.changes);
  if (!all.length) return `**No change** to the cluster against \`${doc.base}\`.`;
  const attention = all.filter(needsAttention);
  const changed = doc.environments.filter((e) => e.changes.length).length;
  return attention.length
    ? `**Action needed before applying**: ${counts(attention)} (${changed} of ${doc.environments.length} environments changed, against \`${doc.base}\`).`
    : `**Safe to apply**: ${counts(all)} (${changed} of ${doc.environments.length} environments changed, against \`${doc.base}\`).`;
}

/** A table cell: no pipe or newline may break the row. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

const MAX_FIELDS = 6;

function row(c: Change): string {
  const fields = c.fields.length > MAX_FIELDS ? [...c.fields.slice(0, MAX_FIELDS), `… ${c.fields.length - MAX_FIELDS} more`] : c.fields;
  const commands = c.commands.map((x) => `<br>\`${cell(x)}\``).join('');
  return `| ${cell(c.summary)}${c.dataAtStake ? ' ⚠ data' : ''} | ${c.kind} ${cell(c.name)} | ${fields.map((f) => `\`${cell(f)}\``).join('<br>')} | ${cell(c.reason)}${commands} |`;
}

export function renderMarkdown(doc: PlanDocument): string {
  const sections = doc.environments.map((e) => {
    if (!e.changes.length) return `### ${e.name}\n\nNo change.\n`;
    return `### ${e.name} (namespace \`${e.namespace}\`): ${counts(e.changes)}\n\n| Effect | Object | Fields | Why, and what to run |\n|---|---|---|---|\n${e.changes.map(row).join('\n')}\n`;
  });
  return `<!-- nuxeo-compact-k8s plan -->\n${verdict(doc)}\n\n${sections.join('\n')}`;
}
