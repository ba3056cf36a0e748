import type { DescribeImageUseCase, DescribeStreamEvent } from '../describe/index.js';
import { DEFAULT_PROMPT } from '../describe/index.js';
import { isAppError } from '../errors.js';
import type { DescriptionRecord } from '../store/index.js';
import type { OperationRecord } from './OperationRecord.js';

function noteRecord(operation: OperationRecord, record: DescriptionRecord): void {
  operation.model = record.modelId;
  operation.descriptionId = record.id;
  if (record.status === 'SUCCEEDED') {
    operation.usage = record.usage ?? undefined;
    operation.costUsd = record.costUsd;
  }
}

function noteError(operation: OperationRecord, error: unknown): void {
  if (isAppError(error) && error.descriptionId !== undefined) operation.descriptionId = error.descriptionId;
}

/**
 * The use case as one request sees it: the same calls, with the model, usage, cost and ledger row
 * of what they did noted on the request's OperationRecord for its log line.
 */
export function recordDescribe(
  describe: DescribeImageUseCase,
  operation: OperationRecord,
  defaultModelId: string,
): DescribeImageUseCase {
  return {
    async describeImage(command, signal) {
      operation.model = command.modelId ?? defaultModelId;
      operation.prompt = command.prompt ?? DEFAULT_PROMPT;
      try {
        const record = await describe.describeImage(command, signal);
        noteRecord(operation, record);
        return record;
      } catch (error) {
        noteError(operation, error);
        throw error;
      }
    },
    async *describeImageStream(command, signal): AsyncGenerator<DescribeStreamEvent> {
      operation.model = command.modelId ?? defaultModelId;
      operation.prompt = command.prompt ?? DEFAULT_PROMPT;
      try {
        for await (const event of describe.describeImageStream(command, signal)) {
          if (event.type === 'done') noteRecord(operation, event.description);
          yield event;
        }
      } catch (error) {
        noteError(operation, error);
        throw error;
      }
    },
  };
}
