import { JobError } from './job-error.ts';
import type { JobKind } from './job-kind.ts';

const KIND_NAME = /^[a-z][a-z0-9-]{0,62}$/;

/** The job kinds this hub can plan and run, by name. A runner claims only jobs of kinds registered here. */
export class JobKindRegistry {
  private readonly kinds = new Map<string, JobKind<unknown>>();

  /** @throws JobError `duplicate-kind`; Error for a name the jobs table would refuse. */
  register<P>(kind: JobKind<P>): this {
    if (!KIND_NAME.test(kind.name)) throw new Error(`job kind name "${kind.name}" must be kebab-case, at most 63 characters`);
    if (this.kinds.has(kind.name)) throw new JobError('duplicate-kind', `job kind ${kind.name} is already registered`);
    this.kinds.set(kind.name, kind as JobKind<unknown>);
    return this;
  }

  get(name: string): JobKind<unknown> | undefined {
    return this.kinds.get(name);
  }

  /** @throws JobError `unknown-kind`. */
  require(name: string): JobKind<unknown> {
    const kind = this.kinds.get(name);
    if (!kind) throw new JobError('unknown-kind', `no job kind ${name}; known: ${this.names().join(', ') || 'none'}`, { field: 'kind' });
    return kind;
  }

  names(): string[] {
    return [...this.kinds.keys()].sort();
  }
}
