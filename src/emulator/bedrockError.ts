/**
 * HTTP statuses of Bedrock Runtime's errors, as declared by the service model the AWS SDK is generated from
 * (`@aws-sdk/client-bedrock-runtime` schemas), so the SDK maps each answer to the same exception class it would
 * raise against AWS. `UnknownOperationException` is the generic AWS answer for a path no operation owns.
 */
export const bedrockErrorStatus = {
  ValidationException: 400,
  ServiceQuotaExceededException: 400,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  UnknownOperationException: 404,
  ModelTimeoutException: 408,
  ModelErrorException: 424,
  ThrottlingException: 429,
  ModelNotReadyException: 429,
  InternalServerException: 500,
  ServiceUnavailableException: 503,
} as const;

/** An error type name as it appears in the `x-amzn-errortype` header. */
export type BedrockErrorType = keyof typeof bedrockErrorStatus;

/** An answer Bedrock would give as an error; thrown inside the emulator and written by `writeError`. */
export class BedrockError extends Error {
  readonly errorType: BedrockErrorType;
  readonly status: number;

  constructor(errorType: BedrockErrorType, message: string) {
    super(message);
    this.name = errorType;
    this.errorType = errorType;
    this.status = bedrockErrorStatus[errorType];
  }
}

/** The error for anything wrong with a request's content, which is what the real service answers for bad input. */
export function validationError(message: string): BedrockError {
  return new BedrockError('ValidationException', message);
}
