import type { DescriptionRecord } from '../store/index.js';

/** A subscription event as the resolver yields it (before field resolution). */
export interface StreamEventParent {
  readonly delta: string | null;
  readonly description: DescriptionRecord | null;
}
