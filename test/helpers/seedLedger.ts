import { randomUUID } from 'node:crypto';
import { OPEN_MODE_KEY_ID, type DescriptionRepository, type LedgerAttempt } from '../../src/store/index.js';

export interface SeedRow {
  createdAt: Date;
  modelId?: string;
  api?: 'CONVERSE' | 'INVOKE_MODEL';
  prompt?: string;
  system?: string;
  text?: string;
  /** Error code: the row ends FAILED. */
  fail?: string;
  /** A FAILED row's billed input tokens (a damaged answer keeps its usage); none by default. */
  failedInputTokens?: number;
  /** Leave the row PENDING. */
  pending?: boolean;
  inputTokens?: number;
  outputTokens?: number;
  costUsd?: string | null;
  latencyMs?: number;
  clientRequestId?: string;
  /** The image, or the images in order (repeats allowed); one 'aaa…' image by default. */
  imageSha256?: string | string[];
  /** The owning API key; open mode's owner by default. */
  apiKeyId?: string;
  /** The input tokens estimated before the call (the estimate's calibration learns from it); none by default. */
  estimatedInputTokens?: number;
  /** False: a billed answer whose usage never arrived (the tokens given are then kept but not trusted). */
  usageKnown?: boolean;
  /** The model call attempts the row records (its tokens are then their sum, as the use case writes them). */
  attempts?: LedgerAttempt[];
}

/** A ledger row as the use case writes it, straight through the repository (for history tests). */
export async function seedRow(repo: DescriptionRepository, row: SeedRow): Promise<string> {
  const id = randomUUID();
  const modelId = row.modelId ?? 'anthropic.claude-3-haiku-20240307-v1:0';
  const pending = await repo.createPending({
    id,
    modelId,
    baseModelId: modelId.replace(/^(us|eu|apac|global)\./, ''),
    api: row.api ?? 'CONVERSE',
    provider: 'EMULATOR',
    prompt: row.prompt ?? 'What is in this image?',
    system: row.system,
    maxTokens: 100,
    temperature: undefined,
    topP: undefined,
    stopSequences: [],
    estimatedCostUsd: null,
    estimatedInputTokens: row.estimatedInputTokens,
    apiKeyId: row.apiKeyId ?? OPEN_MODE_KEY_ID,
    clientRequestId: row.clientRequestId,
    requestHash: id,
    images: [row.imageSha256 ?? 'a'.repeat(64)].flat().map((sha256) => ({
      sha256,
      mediaType: 'image/png',
      byteSize: 10,
      width: 1,
      height: 1,
      source: 'BASE64' as const,
      original: { format: 'png', width: 1, height: 1, byteSize: 10 },
    })),
    createdAt: row.createdAt,
  });
  if (row.pending) return id;
  if (row.fail !== undefined) {
    await repo.fail(pending, {
      code: row.fail,
      message: 'failed',
      latencyMs: row.latencyMs,
      bedrockRequestId: undefined,
      ...(row.failedInputTokens === undefined ? {} : { usage: { inputTokens: row.failedInputTokens } }),
    });
    return id;
  }
  const inputTokens = row.inputTokens ?? 10;
  const outputTokens = row.outputTokens ?? 5;
  await repo.succeed(pending, {
    text: row.text ?? 'A picture.',
    stopReason: 'end_turn',
    usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
    costUsd: row.usageKnown === false ? null : row.costUsd === undefined ? '0.0001' : row.costUsd,
    usageKnown: row.usageKnown,
    attempts: row.attempts,
    latencyMs: row.latencyMs ?? 12,
    modelLatencyMs: 10,
    bedrockRequestId: undefined,
  });
  return id;
}
