/**
 * Warnings attached to constructs, as AWS CDK's Annotations: settings that would silently do
 * nothing or silently not work. The environment-file app prints them at every synth and writes
 * them into SUMMARY.md; a library user's `app.synth()` prints them on stderr.
 */
import { App } from 'cdk8s';
import { IConstruct } from 'constructs';

const WARNING = 'nuxeo-compact-k8s:warning';
/** Apps whose synth prints the warnings (a validation of the App that never fails). */
const printing = new WeakSet<IConstruct>();

export class Warnings {
  /** The warnings of `scope`. */
  public static of(scope: IConstruct): Warnings {
    return new Warnings(scope);
  }

  /** Every warning under `scope`, in construct-tree order. */
  public static collect(scope: IConstruct): string[] {
    return scope.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === WARNING).map((m) => String(m.data)));
  }

  private constructor(private readonly scope: IConstruct) {}

  /** Attaches a warning; the App's synth prints it (`warning: <message>` on stderr). */
  public add(message: string): void {
    this.scope.node.addMetadata(WARNING, message, { stackTrace: false });
    const root = this.scope.node.root;
    if (root instanceof App && !printing.has(root)) {
      printing.add(root);
      root.node.addValidation({ validate: () => printOnce(root) });
    }
  }
}

const printed = new WeakSet<IConstruct>();

function printOnce(root: IConstruct): string[] {
  if (!printed.has(root)) {
    printed.add(root);
    for (const w of Warnings.collect(root)) process.stderr.write(`warning: ${w}\n`);
  }
  return [];
}
