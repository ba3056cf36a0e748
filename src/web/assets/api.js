// @ts-check
// The page's only door to the server: typed GraphQL operations over HTTP (JSON or multipart)
// and over graphql-ws for the streamed describe, with the optional API key on both.

import { pageConfig } from './pageConfig.js';
import { ConnectionLostError, SubscriptionError, subscribe } from './streamClient.js';

/**
 * @template R, V
 * @typedef {import('./operations.js').Operation<R, V>} Operation
 */

const KEY_STORAGE = 'bedrock-vision.apiKey';

/** A GraphQL or HTTP failure, with the API's stable error code (and the ledger row, when one was written). */
export class ApiError extends Error {
  /** @param {string} message @param {string} code @param {string} [reason] @param {string} [descriptionId] */
  constructor(message, code, reason, descriptionId) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.descriptionId = descriptionId;
  }
}

/** A GraphQL error as the API formats it. @param {{ message: string, extensions?: Record<string, unknown> }} error */
const fromGraphQLError = (error) => {
  const text = (/** @type {unknown} */ value) => (typeof value === 'string' ? value : undefined);
  const extensions = error.extensions ?? {};
  return new ApiError(
    error.message,
    text(extensions.code) ?? 'ERROR',
    text(extensions.reason),
    text(extensions.descriptionId),
  );
};

/** Any failure as an ApiError: GraphQL errors keep their code, the others get one. @param {unknown} error */
export function toApiError(error) {
  if (error instanceof ApiError) return error;
  if (error instanceof SubscriptionError) return fromGraphQLError(error.errors[0] ?? { message: error.message });
  if (error instanceof ConnectionLostError) return new ApiError(error.message, 'CONNECTION_LOST');
  return new ApiError(String(error), 'NETWORK_ERROR');
}

/** The API key this browser keeps, or '' (also when storage is off limits). */
export function apiKey() {
  try {
    return localStorage.getItem(KEY_STORAGE) ?? '';
  } catch {
    return '';
  }
}

/** Keeps the key (or forgets it, when empty); false when this browser does not allow storing it. @param {string} value */
export function saveApiKey(value) {
  try {
    if (value) localStorage.setItem(KEY_STORAGE, value);
    else localStorage.removeItem(KEY_STORAGE);
    return true;
  } catch {
    return false;
  }
}

/**
 * POSTs an operation and resolves with its data, or rejects with an ApiError carrying the
 * first error's code. With `upload`, it is sent as a GraphQL multipart request; Apollo's CSRF
 * protection wants the Apollo-Require-Preflight header on those.
 * @template R, V
 * @param {Operation<R, V>} query
 * @param {NoInfer<V>} variables
 * @param {{ path: string, file: File }} [upload]
 * @returns {Promise<R>}
 */
export async function graphql(query, variables, upload) {
  const headers = new Headers({ accept: 'application/graphql-response+json, application/json' });
  const key = apiKey();
  if (key) headers.set('authorization', `Bearer ${key}`);
  /** @type {BodyInit} */
  let body;
  if (upload) {
    const form = new FormData();
    form.append('operations', JSON.stringify({ query, variables }));
    form.append('map', JSON.stringify({ 0: [upload.path] }));
    form.append('0', upload.file, upload.file.name);
    headers.set('apollo-require-preflight', 'true');
    body = form;
  } else {
    headers.set('content-type', 'application/json');
    body = JSON.stringify({ query, variables });
  }
  const res = await fetch(pageConfig.graphqlPath, { method: 'POST', headers, body });
  let payload;
  try {
    payload = await res.json();
  } catch {
    throw new ApiError(`The server answered HTTP ${res.status} without a GraphQL response.`, `HTTP_${res.status}`);
  }
  const error = payload.errors?.[0];
  if (error) throw fromGraphQLError(error);
  return payload.data;
}

/** Subscriptions: the GraphQL path as ws:// or wss://. */
const socketUrl = new URL(pageConfig.graphqlPath, location.href);
socketUrl.protocol = socketUrl.protocol === 'https:' ? 'wss:' : 'ws:';

/**
 * Runs a subscription over graphql-ws (see streamClient.js: no retries, `cancel()` stops it),
 * sending the API key in the socket's connectionParams.
 * @template R, V
 * @param {Operation<R, V>} query
 * @param {NoInfer<V>} variables
 * @param {(data: R) => void} onData
 */
export function subscribeTo(query, variables, onData) {
  return subscribe({
    url: socketUrl.href,
    query,
    variables: /** @type {Record<string, unknown>} */ (variables),
    connectionParams: () => {
      const key = apiKey();
      return key ? { Authorization: `Bearer ${key}` } : undefined;
    },
    onData,
  });
}

export { NotConnectedError } from './streamClient.js';
