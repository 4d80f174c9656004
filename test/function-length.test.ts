/**
 * "Functions short (<= ~60 lines)": every function of the library and the app, measured by the
 * TypeScript compiler (from its first token to its last, comments before it left out), arrow
 * functions and methods included.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..');
const MAX_LINES = 60;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(rel);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [rel] : [];
  });
}

/** The name a function is known by: its own, or the variable, property or call it is given to. */
function nameOf(node: ts.SignatureDeclaration, sf: ts.SourceFile): string {
  if (ts.isConstructorDeclaration(node)) return `${(node.parent as ts.ClassDeclaration).name?.text ?? 'class'} constructor`;
  if (node.name) return node.name.getText(sf);
  const p = node.parent;
  if ((ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p)) && p.name) return p.name.getText(sf);
  return '<anonymous>';
}

/** Every function of `file` (relative to the repository) longer than `max` lines, as `file:line name (n lines)`. */
function longFunctions(file: string, max: number): string[] {
  const sf = ts.createSourceFile(file, fs.readFileSync(path.resolve(ROOT, file), 'utf8'), ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const lines = sf.getLineAndCharacterOfPosition(node.getEnd()).line - start + 1;
      if (lines > max) found.push(`${file}:${start + 1} ${nameOf(node, sf)} (${lines} lines)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

describe('function length', () => {
  test('the measure sees a long function, an arrow function and a method', () => {
    const body = Array.from({ length: 61 }, (_, i) => `  const v${i} = ${i};`).join('\n');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'function-length-'));
    try {
      const file = path.join(dir, 'long.ts');
      fs.writeFileSync(file, `/** doc */\nexport function long() {\n${body}\n}\nexport const arrow = () => {\n${body}\n};\nclass C {\n  m() {\n${body}\n  }\n}\nexport function short() {\n  return 1;\n}\n`);
      const rel = path.relative(ROOT, file);
      expect(longFunctions(rel, MAX_LINES)).toEqual([`${rel}:2 long (63 lines)`, `${rel}:65 arrow (63 lines)`, `${rel}:129 m (63 lines)`]);
      expect(longFunctions(rel, 63)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`no function in lib/ or app/ is over ${MAX_LINES} lines`, () => {
    const files = [...sourceFiles('lib'), ...sourceFiles('app'), 'main.ts'];
    expect(files.length).toBeGreaterThan(50);
    expect(files.flatMap((f) => longFunctions(f, MAX_LINES))).toEqual([]);
  });
});
