import type { OperationName } from './quotas';

/**
 * Faults the control plane injects on demand, per operation, so that the code calling IVS meets on this
 * machine what AWS gives it on a bad day: throttling beyond the quotas, server errors, slow answers and
 * dropped connections. A test (or `npm start`) holds the plan and changes it while the emulator runs.
 */

export type InjectedFault =
  /** An error answer, as AWS's restJson1 protocol sends it: the type in `x-amzn-errortype`. */
  | { readonly kind: 'error'; readonly status: 429 | 500 | 502 | 503 | 504; readonly type: string }
  /** The operation is carried out, and its answer sent after `ms`: a slow service, not a failed one. */
  | { readonly kind: 'delay'; readonly ms: number }
  /** The connection is dropped with no answer (the operation is not carried out). */
  | { readonly kind: 'drop' };

/** IVS's throttling answer, as the quotas give it. */
export const THROTTLED: InjectedFault = { kind: 'error', status: 429, type: 'ThrottlingException' };
/** The IVS Chat model's one server error. */
export const INTERNAL_ERROR: InjectedFault = { kind: 'error', status: 500, type: 'InternalServerException' };
/** A 503 the model does not name, as a load balancer in front of a service answers it. */
export const UNAVAILABLE: InjectedFault = { kind: 'error', status: 503, type: 'ServiceUnavailableException' };

interface Entry {
  readonly fault: InjectedFault;
  remaining: number;
}

export class FaultPlan {
  private readonly entries = new Map<OperationName, Entry>();
  private readonly servedBy = new Map<OperationName, number>();

  /** Every request for `operation` meets `fault`, the next `times` of them (default: until cleared). */
  inject(operation: OperationName, fault: InjectedFault, times = Number.POSITIVE_INFINITY): this {
    if (!(times >= 1)) throw new RangeError(`times must be at least 1, got ${times}`);
    this.entries.set(operation, { fault, remaining: times });
    return this;
  }

  /** No more faults for `operation`, or for any operation. */
  clear(operation?: OperationName): void {
    if (operation === undefined) this.entries.clear();
    else this.entries.delete(operation);
  }

  /** How many requests for `operation` met an injected fault. */
  served(operation: OperationName): number {
    return this.servedBy.get(operation) ?? 0;
  }

  /** The fault this request meets, if any, counted as served. */
  take(operation: OperationName): InjectedFault | undefined {
    const entry = this.entries.get(operation);
    if (entry === undefined) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.entries.delete(operation);
    this.servedBy.set(operation, this.served(operation) + 1);
    return entry.fault;
  }
}
