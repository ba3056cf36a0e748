import { costUsd, DEFAULT_MODEL_CATALOG, type ModelCatalog, type VisionUsage } from '../../src/bedrock/index.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import type { EmulatorCall } from './emulatorCalls.js';
import { withoutTokens } from './requestToken.js';

/**
 * What the emulator charged for one call:
 * - `unbilled`: Bedrock refused it (a 4xx/5xx status): nothing to pay.
 * - `billed`: the model ran and its usage reached the client whole; `costUsd` is that usage at catalog prices
 *   (null for a model the catalog does not price).
 * - `lost`: the model may have run (and Bedrock may have billed it) but its usage did not reach the client whole:
 *   a reset, a cut or foreign body, no usage, no answer, a stream that ended early. `costUsd` is what it would
 *   have cost had it run to the end. The ledger cannot know this figure and must say its cost is unknown.
 */
export type Billing =
  { readonly kind: 'unbilled' } | { readonly kind: 'billed' | 'lost'; readonly costUsd: string | null };

/** Faults after which the answer's usage cannot have reached the client whole. */
const USAGE_LOST = new Set<string>([
  'reset-before-answer',
  'reset-mid-body',
  'truncated-body',
  'non-json-body',
  'no-usage',
  'hang',
  'mid-stream-error',
]);

const STREAMED = new Set<string>(['ConverseStream', 'InvokeModelWithResponseStream']);

/** Whether the call was billed, and whether its usage reached the client; see {@link Billing}. */
export function billingKind(call: EmulatorCall): Billing['kind'] {
  if (call.status >= 400) return 'unbilled';
  if (call.fault !== undefined && USAGE_LOST.has(call.fault)) return 'lost';
  if (call.status === 0) return 'lost';
  // A stream the client left (or that is still being written) was billed for what was generated, unseen.
  if (STREAMED.has(call.operation) && call.cancelled !== false) return 'lost';
  return 'billed';
}

/**
 * Prices calls from the emulator's own answer: each distinct request (tokens in prompts replaced by a filler of the
 * same length, so same usage) is sent once more to a private emulator, and the usage it answers is priced at the
 * catalog's prices. The ledger's figures are never consulted, so the check compares two independent accounts.
 *
 * Recorded bodies without image data (`--record-image-data=false`) are completed from `images`: the base64 of the
 * images the client sent, matched by length (the server passes small images through byte for byte).
 */
export async function createBillingOracle(
  options: { images?: readonly string[]; catalog?: ModelCatalog } = {},
): Promise<{ bill(call: EmulatorCall): Promise<Billing>; close(): Promise<void> }> {
  const catalog = options.catalog ?? DEFAULT_MODEL_CATALOG;
  const imagesByNote = new Map(
    (options.images ?? []).map((b64) => [`"<${b64.length} characters of base64 image data, not recorded>"`, b64]),
  );
  const reference: Emulator = await startEmulator({ maxRecordedCalls: 0, streamChunkDelayMs: 0 });
  const usages = new Map<string, Promise<VisionUsage>>();

  const replay = async (call: EmulatorCall, body: string): Promise<VisionUsage> => {
    const invoke = call.operation === 'InvokeModel' || call.operation === 'InvokeModelWithResponseStream';
    if (call.fault === 'control-characters') reference.injectFault({ kind: 'control-characters' });
    const response = await fetch(
      `${reference.url}/model/${encodeURIComponent(call.modelId)}/${invoke ? 'invoke' : 'converse'}`,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body },
    );
    const answer = (await response.json()) as {
      usage?: { inputTokens?: number; outputTokens?: number; input_tokens?: number; output_tokens?: number };
      message?: string;
    };
    const usage = answer.usage;
    if (response.status !== 200 || usage === undefined) {
      throw new Error(`replaying call ${call.requestId} for its price: HTTP ${response.status} ${answer.message}`);
    }
    const [inputTokens, outputTokens] = invoke
      ? [usage.input_tokens ?? 0, usage.output_tokens ?? 0]
      : [usage.inputTokens ?? 0, usage.outputTokens ?? 0];
    return { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
  };

  return {
    async bill(call) {
      const kind = billingKind(call);
      if (kind === 'unbilled') return { kind };
      let body = withoutTokens(call.body === undefined ? call.rawBody : JSON.stringify(call.body));
      for (const [note, b64] of imagesByNote) body = body.replaceAll(note, JSON.stringify(b64));
      const family = call.operation.startsWith('Invoke') ? 'invoke' : 'converse';
      const key = `${family} ${call.modelId} ${call.fault === 'control-characters'} ${body}`;
      let usage = usages.get(key);
      if (usage === undefined) {
        usage = replay(call, body);
        usages.set(key, usage);
      }
      const model = catalog.find(call.modelId);
      return { kind, costUsd: model === undefined ? null : costUsd(await usage, model) };
    },
    close: () => reference.close(),
  };
}
