import type { Caller } from '../auth/index.js';
import type { ModelCatalog } from '../bedrock/index.js';
import type { DescribeImageUseCase, PreviewCost } from '../describe/index.js';
import type { Housekeeping } from '../housekeeping/index.js';
import type { ImageStore } from '../images/index.js';
import type { DescriptionRepository, HistoryCursorCodec, HistoryReader } from '../store/index.js';

/** Per-request context: the use cases and stores a resolver may call, nothing else. */
export interface GraphQLContext {
  readonly describe: DescribeImageUseCase;
  /** previewCost: a request checked, its images taken in and priced, without a model call or a row. */
  readonly previewCost: PreviewCost;
  readonly catalog: ModelCatalog;
  readonly descriptions: DescriptionRepository;
  readonly history: HistoryReader;
  readonly cursors: HistoryCursorCodec;
  readonly imageStore: ImageStore;
  readonly housekeeping: Housekeeping;
  /** What the `settings` query reports besides IMAGE_LIMITS (which its resolver reads itself). */
  readonly settings: { readonly defaultModelId: string; readonly uploadMaxBytes: number };
  /** Who is calling: every read is scoped by it, every row written is owned by it. */
  readonly caller: Caller;
}
