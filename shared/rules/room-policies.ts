import type { PolicyDocument } from '../policy/policy-document.js';
import type { CompiledPolicy } from './compile-policy.js';

/**
 * The policies a function can apply: the stage's default and the rooms
 * manifest's named ones, each compiled the first time a room assigned to it
 * shows up (a matcher costs about 10 ms to build; most containers never see
 * most policies).
 */
export class RoomPolicies {
  private readonly compiled = new Map<string, CompiledPolicy>();

  constructor(
    readonly defaultPolicy: CompiledPolicy,
    private readonly documents: Readonly<Record<string, PolicyDocument>>,
    private readonly compile: (document: PolicyDocument) => CompiledPolicy,
  ) {}

  /** Whether any room can have a policy of its own (if not, there is no assignment to read). */
  get hasNamedPolicies(): boolean {
    return Object.keys(this.documents).length > 0;
  }

  /**
   * The policy named by a room's assignment. `unknown` is set when the name is not one this build carries
   * (the manifest changed and the function was not redeployed): the default policy applies, and the caller
   * should say so in its logs.
   */
  resolve(name: string | undefined): { readonly policy: CompiledPolicy; readonly unknown?: string } {
    if (name === undefined || name === 'default') return { policy: this.defaultPolicy };
    const cached = this.compiled.get(name);
    if (cached !== undefined) return { policy: cached };
    const document = Object.hasOwn(this.documents, name) ? this.documents[name] : undefined;
    if (document === undefined) return { policy: this.defaultPolicy, unknown: name };
    const policy = this.compile(document);
    this.compiled.set(name, policy);
    return { policy };
  }
}
