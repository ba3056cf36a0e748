/**
 * What the registry knows of a code: the HTTP status of a response it ends (a refused body,
 * an export, an overload), and whether a GraphQL response carrying it takes that status
 * too. Other errors inside a GraphQL result keep HTTP 200, as GraphQL over HTTP with
 * `application/json` has it; a retryable refusal must be seen by load balancers and clients'
 * retry logic, so it is a 503 with `Retry-After`.
 */
interface ErrorDefinition {
  readonly status: number;
  readonly retryable?: true;
  readonly doc: string;
}

/**
 * The one registry of public error codes. Every refusal or failure a client can see
 * carries one of these as `extensions.code`; FAILED ledger rows store the same codes.
 * The README's table is checked against this object by a test, so adding a code
 * here without documenting it fails the suite.
 */
export const ERROR_CODES = {
  GRAPHQL_PARSE_FAILED: {
    status: 400,
    doc: 'The GraphQL document does not parse, has more than 2 000 tokens, or is larger than 1 MiB (send images as variables or uploads).',
  },
  GRAPHQL_VALIDATION_FAILED: {
    status: 400,
    doc: 'The operation does not match the schema, or exceeds a limit: more than 15 aliases, selections nested deeper than 10, more than 20 directives; in production also introspection, or more than one describeImage/describeImageStream.',
  },
  OPERATION_RESOLUTION_FAILURE: {
    status: 400,
    doc: 'The document holds several operations and the request names none (`operationName`), or names one the document does not hold; nothing ran.',
  },
  PERSISTED_QUERY_NOT_SUPPORTED: {
    status: 400,
    doc: 'The request sent a persisted-query hash (automatic persisted queries) instead of its document; this server keeps no documents by hash (it caches each parsed document itself): send the document.',
  },
  BAD_REQUEST: {
    status: 400,
    doc: 'The HTTP request is malformed: not JSON, a malformed multipart request, a compressed body that is not JSON or uses an encoding other than gzip/deflate/br, a GET/form POST without `Apollo-Require-Preflight` (CSRF protection), or malformed HTTP; also a request not whole within HTTP_REQUEST_TIMEOUT_MS (HTTP 408).',
  },
  PAYLOAD_TOO_LARGE: {
    status: 413,
    doc: "The request body is larger than 20 images at Bedrock's size limit can be, a compressed body inflates more than 20 times its size or beyond that limit, or a multipart field is over its limit (HTTP 413); also a request line and headers over 16 KiB, such as a GET carrying a large document (HTTP 431).",
  },
  BAD_USER_INPUT: {
    status: 400,
    doc: 'The request is invalid and was refused before any model call or ledger row; `extensions.reason` says why.',
  },
  UNAUTHENTICATED: {
    status: 401,
    doc: 'API keys are defined and the request carries none (`Authorization: Bearer <key>`, or `connection_init` `{ authorization }` over WebSocket), or an unknown or revoked one.',
  },
  FORBIDDEN: {
    status: 403,
    doc: 'The key may not do this: only admin keys filter or group by another key, and a key with a USD budget may not call a model the catalog has no price for (its cost could not be reserved). Nothing was spent and no row was written.',
  },
  RATE_LIMITED: {
    status: 429,
    retryable: true,
    doc: 'The key made more requests this minute than its `--rpm` allows; nothing was spent and no row was written. Retry after `extensions.retryAfterSeconds` (also `Retry-After`).',
  },
  BUDGET_EXCEEDED: {
    status: 429,
    retryable: true,
    doc: "The request's estimated cost does not fit in what is left of the key's daily or monthly USD budget; nothing was spent and no row was written. `extensions.retryAfterSeconds` says when the budget (UTC day or month) starts again.",
  },
  REQUEST_IN_PROGRESS: {
    status: 409,
    doc: 'A request with the same clientRequestId is still running; retry after it completes. Also what an attempt gets whose answer arrived after a retry of the same request took its row over (its cost is added to the row); retry for the recorded outcome.',
  },
  SERVICE_UNAVAILABLE: {
    status: 503,
    retryable: true,
    doc: 'The server is at capacity (requests in flight or request bytes buffered) or its database cannot be reached in time; nothing was spent (a row the database wrote after it stopped answering is closed FAILED with this code). Retry after `Retry-After` seconds (also `extensions.retryAfterSeconds`).',
  },
  UPSTREAM_THROTTLED: {
    status: 503,
    doc: "Bedrock throttled the call (ThrottlingException, ServiceQuotaExceeded) after the SDK's retries.",
  },
  UPSTREAM_TIMEOUT: {
    status: 504,
    doc: 'Bedrock or the model did not answer in time (connection or request timeout, ModelTimeoutException).',
  },
  UPSTREAM_MODEL_UNAVAILABLE: {
    status: 502,
    doc: 'Bedrock refused the model, and the message says which refusal it was, from Bedrock\'s own error: "reached its end of life" (retired), "denied this AWS account access" (not enabled, or IAM), or "does not know model … in this region" (wrong id or region, or an inference profile needed). Each names current vision models.',
  },
  UPSTREAM_ERROR: {
    status: 502,
    doc: 'Any other Bedrock failure (5xx, ModelErrorException, a validation error Bedrock raised).',
  },
  CANCELLED: {
    status: 499,
    doc: 'Ledger and streams: the client went away or cancelled mid-stream; the row keeps the text and usage known so far.',
  },
  INTERRUPTED: {
    status: 500,
    doc: 'The server stopped while the request was running: a stopping server cancels what still runs after `SHUTDOWN_GRACE_MS` and closes its rows with this code (the client gets it too); rows of a process that died are found and closed by recovery.',
  },
  INTERNAL_SERVER_ERROR: {
    status: 500,
    doc: 'An unexpected error; the message is masked and the details are in the server log.',
  },
} as const satisfies Record<string, ErrorDefinition>;

export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * Why a BAD_USER_INPUT was refused, as `extensions.reason`. Stable, documented in the
 * README and checked against it by a test.
 */
export const INPUT_REASONS = {
  IMAGE_REQUIRED: 'Neither `image` nor `images` was given, or `images` is empty.',
  IMAGE_SOURCE_INVALID: 'An image input must have exactly one source, and `image` and `images` cannot be combined.',
  IMAGE_BASE64_INVALID: 'The base64 text is not valid base64 (or a base64 data: URL).',
  IMAGE_EMPTY: 'An image decoded to zero bytes.',
  IMAGE_URL_FORBIDDEN:
    'The image URL is refused by policy: not https, credentials in it, a port not allowed, or an address that is not public.',
  IMAGE_FETCH_FAILED:
    'The image could not be fetched from the URL (one generic reason, so the API reveals nothing about the network behind it).',
  IMAGE_UPLOAD_FAILED: 'An uploaded file could not be read (interrupted, or larger than the limit).',
  IMAGE_UNSUPPORTED: 'The bytes are not JPEG, PNG, GIF or WebP (checked from the bytes, not the declared type).',
  IMAGE_INVALID: 'The bytes claim a supported format but the image is truncated or corrupt.',
  IMAGE_TOO_LARGE: 'An image is larger than 3.75 MB as sent to Bedrock.',
  IMAGE_DIMENSIONS:
    'An image side is longer than 8000 px, or it has more pixels or animation frames than the decode budget.',
  IMAGE_METADATA:
    'An image carries more metadata than accepted: over 64 segments or chunks, over 2 MiB (compressed PNG chunks counted inflated), or a second EXIF block or ICC profile.',
  TOO_MANY_IMAGES: 'More than 20 images in one request.',
  PROMPT_INVALID:
    'The prompt is blank, longer than the limit (characters or UTF-8 bytes), or has a control character other than newline and tab.',
  SYSTEM_INVALID:
    'The system prompt is blank, longer than the limit (characters or UTF-8 bytes), or has a control character other than newline and tab.',
  MODEL_ID_INVALID: 'The model id is not a well-formed Bedrock model or inference profile id.',
  API_UNSUPPORTED_FOR_MODEL: 'api INVOKE_MODEL was asked for a model that does not take the Anthropic Messages body.',
  STOP_SEQUENCES_INVALID:
    'More stop sequences than the model takes, an empty or over-long one, or one with a control character other than newline and tab.',
  MAX_TOKENS_INVALID: "maxTokens is not between 1 and the model's maximum.",
  TEMPERATURE_INVALID: 'temperature is not between 0 and 1.',
  TOP_P_INVALID: 'topP is not between 0 and 1.',
  PARAMETER_UNSUPPORTED:
    'The model does not take a parameter the request sets (some newer Claude models take temperature or topP but not both, or neither).',
  SERVICE_TIER_UNSUPPORTED:
    'serviceTier PRIORITY or FLEX was asked for a model the catalog does not list that tier for (see serviceTiers in the catalog).',
  TAGS_INVALID:
    'More than 10 tags, a tag not written key=value, a key or value too long or with a character outside the allowed set, or a key given twice.',
  CLIENT_REQUEST_ID_INVALID: 'clientRequestId is blank, longer than 128 characters, or has a control character.',
  CLIENT_REQUEST_ID_REUSED: 'clientRequestId was already used for a different request.',
  FILTER_INVALID:
    'A history filter is malformed (inverted range, negative or non-32-bit number, over-long search, a list of more than 100 entries, a control character in a string).',
  PAGINATION_INVALID: 'first/after and last/before were combined; page forwards or backwards.',
  TIME_ZONE_INVALID: 'timeZone is not an IANA time zone name.',
  CURSOR_INVALID: 'The cursor was not issued by this API for this ordering, or was altered.',
  ID_INVALID: 'The id is not a UUID.',
  SHA256_INVALID: 'The sha256 is not 64 hexadecimal characters.',
} as const;

export type InputReason = keyof typeof INPUT_REASONS;

/**
 * A failure with a public code. `cause` keeps the foreign error (SDK, Prisma) for
 * the log; only `code`, `reason` and `message` ever reach a client.
 */
export class AppError extends Error {
  override readonly name = 'AppError';
  readonly code: ErrorCode;
  readonly reason: InputReason | undefined;
  /** The ledger row a failure was recorded in, so a client can find it in history. */
  readonly descriptionId: string | undefined;
  /** For a retryable refusal: when to try again (`Retry-After`, `extensions.retryAfterSeconds`). */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options?: { reason?: InputReason; cause?: unknown; descriptionId?: string; retryAfterSeconds?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.reason = options?.reason;
    this.descriptionId = options?.descriptionId;
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}

/** The `extensions` a client sees for an AppError, over every door (GraphQL, WebSocket, plain HTTP). */
export function errorExtensions(error: AppError): Record<string, unknown> {
  return {
    code: error.code,
    ...(error.reason === undefined ? {} : { reason: error.reason }),
    ...(error.descriptionId === undefined ? {} : { descriptionId: error.descriptionId }),
    ...(error.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: error.retryAfterSeconds }),
  };
}

/** The HTTP status of a response that `code` ends. */
export function httpStatusOf(code: ErrorCode): number {
  return ERROR_CODES[code].status;
}

/** Whether a GraphQL response carrying `code` takes the code's HTTP status (see ErrorDefinition). */
export function isRetryableRefusal(code: ErrorCode): boolean {
  return 'retryable' in ERROR_CODES[code];
}

/** Shorthand for the most common refusal. */
export function badInput(reason: InputReason, message: string, cause?: unknown): AppError {
  return new AppError('BAD_USER_INPUT', message, { reason, cause });
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
