#!/usr/bin/env node
// Writes lib/settings/settings.generated.ts from schema/environment.schema.json (itself generated from
// the zod schema): one readonly interface per tier section, each field documented with the schema's
// description and its default, so a library user hovering a Props field sees both. zod's inferred
// types carry neither. test/tiers/settings-generated.test.ts checks the file is fresh, and
// test/tiers/settings-types.ts that it stays assignable to and from the zod input types.
'use strict';
const fs = require('fs');
const path = require('path');

const ROOT = path.join(__dirname, '..');
const SCHEMA = path.join(ROOT, 'schema', 'environment.schema.json');
const OUT = path.join(ROOT, 'lib', 'settings', 'settings.generated.ts');
/** The environment-file sections the tiers take as Props, and their interfaces' names. */
const SECTIONS = { nuxeo: 'Nuxeo', redis: 'Redis', elasticsearch: 'Elasticsearch', database: 'Database', loadBalancer: 'LoadBalancer', scheduling: 'Scheduling', network: 'Network', monitoring: 'Monitoring' };

const pascal = (s) => s.charAt(0).toUpperCase() + s.slice(1);
const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const key = (k) => (identifier.test(k) ? k : JSON.stringify(k));

/** An optional field's `@default`: an object defaulting to `{}` has its fields' own defaults. */
function defaultTag(node) {
  if (!('default' in node)) return '@default - none (not set unless given)';
  const empty = node.default && typeof node.default === 'object' && !Array.isArray(node.default) && !Object.keys(node.default).length;
  if (empty && node.properties) return '@default - each field at its own default';
  if (empty) return '@default - none';
  return `@default ${JSON.stringify(node.default)}`;
}

/** The field's description (or else where it is), and for an optional field its default. */
function doc(node, where, required, indent) {
  const lines = node.description ? node.description.split('\n') : [where];
  if (!required) lines.push(defaultTag(node));
  return [`${indent}/**`, ...lines.map((l) => `${indent} * ${l.replace(/\*\//g, '*\\/')}`.trimEnd()), `${indent} */`].join('\n');
}

/** Where a field is, for its doc: `affinity.podAffinity[].weight`. */
const place = (rel) => rel.map((seg, i) => (seg === '[]' ? seg : (i ? '.' : '') + seg)).join('');
/** A nested interface's name from its path: tolerations[] -> TolerationsItem. */
const baseOf = (rel) => rel.map((seg) => (seg === '[]' ? 'Item' : seg === '*' ? 'Value' : pascal(seg))).join('');

/** Calls visit(node, rel) on every object with properties under a section, with its path. */
function walkObjects(node, rel, visit) {
  if (node.type === 'object' && node.properties) {
    visit(node, rel);
    for (const [k, child] of Object.entries(node.properties)) walkObjects(child, [...rel, k], visit);
  } else if (node.type === 'object' && node.additionalProperties && node.additionalProperties !== true) {
    walkObjects(node.additionalProperties, [...rel, '*'], visit);
  } else if (node.type === 'array' && node.items) {
    walkObjects(node.items, [...rel, '[]'], visit);
  }
}

/**
 * Renders the sections' interfaces. An object found identical at the same place in several
 * sections (affinity, tolerations ...) becomes one interface named after that place alone.
 */
function render(sections) {
  const seen = new Map(); // place + JSON -> sections holding it
  for (const [section, node] of Object.entries(sections)) {
    walkObjects(node, [], (n, rel) => {
      const id = `${place(rel)} ${JSON.stringify(n)}`;
      seen.set(id, (seen.get(id) ?? new Set()).add(section));
    });
  }
  const shared = new Map(); // name -> rendered interface
  const out = [];
  for (const [section, sectionNode] of Object.entries(sections)) {
    const rootName = `${SECTIONS[section]}Settings`;
    const own = [];
    const typeOf = (node, rel) => {
      if (node.enum) return node.enum.map((v) => JSON.stringify(v)).join(' | ');
      if (node.type === 'object' && node.properties) return objectInterface(node, rel);
      if (node.type === 'object') {
        const value = node.additionalProperties && node.additionalProperties !== true ? typeOf(node.additionalProperties, [...rel, '*']) : 'unknown';
        return `{ [key: string]: ${value} }`;
      }
      if (node.type === 'array') {
        const item = typeOf(node.items ?? {}, [...rel, '[]']);
        return /[ |]/.test(item) ? `(${item})[]` : `${item}[]`;
      }
      if (node.type === 'string') return 'string';
      if (node.type === 'integer' || node.type === 'number') return 'number';
      if (node.type === 'boolean') return 'boolean';
      throw new Error(`${section}.${place(rel)}: unsupported JSON Schema node ${JSON.stringify(node)}`);
    };
    const objectInterface = (node, rel) => {
      const isShared = rel.length > 0 && seen.get(`${place(rel)} ${JSON.stringify(node)}`).size > 1;
      const name = `${isShared ? '' : SECTIONS[section]}${baseOf(rel)}Settings`;
      if (isShared && shared.has(name)) return name;
      const required = new Set(node.required ?? []);
      const fields = Object.entries(node.properties).map(([k, child]) => {
        const at = place([...rel, k]);
        const where = isShared ? `\`${at}\` in a tier's section of the environment file.` : `\`${section}.${at}\` in the environment file.`;
        return `${doc(child, where, required.has(k), '  ')}\n  readonly ${key(k)}${required.has(k) ? '' : '?'}: ${typeOf(child, [...rel, k])};`;
      });
      const title = !rel.length
        ? `The \`${section}\` section of an environment file, as a tier's settings.`
        : isShared ? `\`${place(rel)}\` of several tiers' settings.` : `Part of {@link ${rootName}}.`;
      const text = `/** ${title} */\nexport interface ${name} {\n${fields.join('\n')}\n}\n`;
      if (isShared) shared.set(name, text);
      else own.push(text);
      return name;
    };
    objectInterface(sectionNode, []);
    // Outermost first: the section's interface, then the ones it uses, innermost first.
    out.push(own.pop(), ...own);
  }
  return [...out, ...shared.values()].join('\n');
}

function generate() {
  const schema = JSON.parse(fs.readFileSync(SCHEMA, 'utf8'));
  const sections = Object.fromEntries(Object.keys(SECTIONS).map((section) => [section, schema.properties[section]]));
  return `// Generated by scripts/props.js from schema/environment.schema.json (\`npm run schema\`): do not edit.\n\n${render(sections)}`;
}

function write() {
  fs.writeFileSync(OUT, generate());
  console.log(`wrote ${path.relative(process.cwd(), OUT)}`);
}

module.exports = { generate, write, OUT };

if (require.main === module) write();
