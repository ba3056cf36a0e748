import type { OperationAnswer } from './operation.js';
import { writeDamagedJson } from './writeDamagedJson.js';
import { writeEventStream } from './writeEventStream.js';
import type { StreamOutcome, StreamPlan } from './writeEventStream.js';
import { writeJson } from './wire.js';
import type { WireResponse } from './wire.js';

/**
 * Writes a successful answer: a JSON body at once, or an event stream over time, either of them damaged on the way if
 * the plan's `failure` says so. Resolves when the answer is written, with how a stream ended, or `undefined` for JSON.
 */
export async function writeAnswer(
  res: WireResponse,
  requestId: string,
  answer: OperationAnswer,
  stream: StreamPlan,
): Promise<StreamOutcome | undefined> {
  switch (answer.kind) {
    case 'json': {
      const headers = { ...answer.headers, 'x-amzn-requestid': requestId };
      const damage = stream.failure?.kind;
      if (damage === 'reset' || damage === 'truncate') await writeDamagedJson(res, answer.body, headers, damage);
      else writeJson(res, 200, answer.body, headers);
      return undefined;
    }
    case 'event-stream':
      return writeEventStream(res, requestId, answer, stream);
    default: {
      const unreachable: never = answer;
      throw new Error(`Unknown answer kind ${String((unreachable as OperationAnswer).kind)}`);
    }
  }
}
