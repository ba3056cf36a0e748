import { SpanStatusCode, type Span } from '@opentelemetry/api';
import { isAppError } from '../errors.js';
import { ERROR_TYPE } from './semanticAttributes.js';

/**
 * Marks a span failed with the error's public code as `error.type`. Only an AppError's message
 * (written for clients) is recorded: a foreign error's text may carry SQL or request data.
 */
export function failSpan(span: Span, error: unknown): void {
  if (isAppError(error)) {
    span.setAttribute(ERROR_TYPE, error.code);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  } else {
    span.setAttribute(ERROR_TYPE, error instanceof Error ? error.name : 'Error');
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
}
