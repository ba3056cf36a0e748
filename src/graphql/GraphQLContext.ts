import type { ModelCatalog } from '../bedrock/index.js';
import type { DescribeImageUseCase } from '../describe/index.js';
import type { Housekeeping } from '../housekeeping/index.js';
import type { ImageStore } from '../images/index.js';
import type { DescriptionRepository, HistoryCursorCodec, HistoryReader } from '../store/index.js';

/** Per-request context: the use cases and stores a resolver may call, nothing else. */
export interface GraphQLContext {
  readonly describe: DescribeImageUseCase;
  readonly catalog: ModelCatalog;
  readonly descriptions: DescriptionRepository;
  readonly history: HistoryReader;
  readonly cursors: HistoryCursorCodec;
  readonly imageStore: ImageStore;
  readonly housekeeping: Housekeeping;
}
