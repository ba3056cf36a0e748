import { expect } from 'vitest';

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown>; path?: unknown[] }[];
}

/** POSTs an operation the way any GraphQL client would, through real HTTP. */
export async function gql<T = Record<string, any>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as Omit<GraphQLResponse<T>, 'status'>;
  return { status: res.status, ...body };
}

/** Asserts the response failed with exactly one error of `code` (and `reason`, if given). */
export function expectErrorCode(res: GraphQLResponse, code: string, reason?: string): Record<string, unknown> {
  expect(res.errors, JSON.stringify(res)).toHaveLength(1);
  const extensions = res.errors![0]!.extensions ?? {};
  expect(extensions.code, JSON.stringify(res.errors)).toBe(code);
  if (reason !== undefined) expect(extensions.reason).toBe(reason);
  return extensions;
}

/** Asserts the response has no errors and returns its data. */
export function expectData<T>(res: GraphQLResponse<T>): T {
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data as T;
}
