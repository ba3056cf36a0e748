import type { OperationAnswer } from './operation.js';
import { writeJson } from './wire.js';
import type { WireResponse } from './wire.js';

/** Writes a successful answer. The switch is where event-stream answers will be written once streaming exists. */
export function writeAnswer(res: WireResponse, requestId: string, answer: OperationAnswer): void {
  switch (answer.kind) {
    case 'json':
      writeJson(res, 200, answer.body, { ...answer.headers, 'x-amzn-requestid': requestId });
      return;
    default: {
      const unreachable: never = answer.kind;
      throw new Error(`Unknown answer kind ${String(unreachable)}`);
    }
  }
}
