/**
 * A Props error of the library: one line per problem, each naming its field, as the environment
 * file's. Kept apart from the zod parsing (props.ts) so the published declarations never import zod.
 */
export class PropsError extends Error {
  constructor(public readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'PropsError';
  }
}
