/**
 * Validates custom resources against the openAPIV3Schema of the CRDs committed under
 * imports/crds/ (CloudNativePG, prometheus-operator), as the API server would, plus one thing it does silently:
 * a field the schema does not know is pruned on apply, so here it is an error.
 * CEL rules (x-kubernetes-validations) are not evaluated.
 */
import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ValidateFunction } from 'ajv';
import { parse } from 'yaml';

const CRD_DIR = path.join(__dirname, '..', 'imports', 'crds');

/** Objects with declared properties accept no others (unless the schema preserves unknown fields). */
function closed(schema: any): any {
  if (Array.isArray(schema)) return schema.map(closed);
  if (!schema || typeof schema !== 'object') return schema;
  const out: any = {};
  for (const [k, v] of Object.entries(schema)) out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, closed(s)])) : closed(v);
  if (schema.type === 'object' && schema.properties && !schema['x-kubernetes-preserve-unknown-fields'] && schema.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

let validators: Map<string, ValidateFunction> | undefined;

/** `apiVersion/kind` -> validator, for every CRD version committed. */
function load(): Map<string, ValidateFunction> {
  if (validators) return validators;
  // Go's regexp (the API server's) has the (?i) group (prometheus-operator's CRDs use it); JavaScript has the i flag.
  const regExp = (pattern: string, flags?: string) => (pattern.includes('(?i)') ? new RegExp(pattern.replace('(?i)', ''), `${flags ?? ''}i`) : new RegExp(pattern, flags));
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, code: { regExp: Object.assign(regExp, { code: 'new RegExp' }) } });
  validators = new Map();
  for (const file of fs.readdirSync(CRD_DIR).filter((f) => f.endsWith('.yaml')).sort()) {
    const crd = parse(fs.readFileSync(path.join(CRD_DIR, file), 'utf8'));
    for (const v of crd.spec.versions) {
      const schema = closed(v.schema.openAPIV3Schema);
      // metadata is the API server's ObjectMeta, which the CRD schema leaves open.
      schema.properties.metadata = { type: 'object' };
      validators.set(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, ajv.compile(schema));
    }
  }
  return validators;
}

/** True when a CRD for this object is committed. */
export function hasCrd(m: { apiVersion: string; kind: string }): boolean {
  return load().has(`${m.apiVersion}/${m.kind}`);
}

/** Problems of one object against its CRD's schema, empty when valid. */
export function crdProblems(m: { apiVersion: string; kind: string }): string[] {
  const validate = load().get(`${m.apiVersion}/${m.kind}`);
  if (!validate) return [`${m.apiVersion} ${m.kind}: no CRD under imports/crds/`];
  return validate(m) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${e.params.additionalProperty})` : ''}`);
}
