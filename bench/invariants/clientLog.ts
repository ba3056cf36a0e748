/**
 * What a client saw of its requests, kept by the fault suite and the soak so the checker can compare it with the
 * ledger. Every request carries a clientRequestId and a token in its prompt (see requestToken.ts).
 */
export type ClientAnswer =
  /** The server answered with a ledger row: a description, or an error that names its `descriptionId`. */
  | { readonly kind: 'row'; readonly id: string; readonly code: string | undefined }
  /** The server refused the request before writing a row (an error without `descriptionId`). */
  | { readonly kind: 'refused'; readonly code: string }
  /** No answer: the connection failed or the client gave up. A row may or may not exist. */
  | { readonly kind: 'lost'; readonly reason: string };

export interface ClientRequest {
  readonly clientRequestId: string;
  readonly token: string;
  /** One per time the request was sent (a duplicate sends it again). */
  readonly answers: ClientAnswer[];
}

/** The requests a run made, by clientRequestId. */
export type ClientLog = Map<string, ClientRequest>;

export function recordAnswer(log: ClientLog, clientRequestId: string, token: string, answer: ClientAnswer): void {
  const request = log.get(clientRequestId) ?? { clientRequestId, token, answers: [] };
  request.answers.push(answer);
  log.set(clientRequestId, request);
}

interface GraphqlError {
  readonly message?: string;
  readonly extensions?: { readonly code?: unknown; readonly descriptionId?: unknown };
}

/**
 * The answer a GraphQL result carries: `data.<field>.id` (describeImage), or `data.<field>.description.id` (the last
 * event of describeImageStream), or the first error's code and `descriptionId`.
 */
export function answerOf(result: { data?: unknown; errors?: readonly GraphqlError[] | undefined }): ClientAnswer {
  const error = result.errors?.[0];
  if (error !== undefined) {
    const code = typeof error.extensions?.code === 'string' ? error.extensions.code : 'NO_CODE';
    const id = error.extensions?.descriptionId;
    return typeof id === 'string' ? { kind: 'row', id, code } : { kind: 'refused', code };
  }
  const field = Object.values((result.data ?? {}) as Record<string, unknown>)[0] as
    { id?: unknown; description?: { id?: unknown } | null } | undefined;
  const id = field?.id ?? field?.description?.id;
  if (typeof id === 'string') return { kind: 'row', id, code: undefined };
  return { kind: 'lost', reason: `no id in the answer: ${JSON.stringify(result).slice(0, 200)}` };
}
