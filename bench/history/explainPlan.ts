/**
 * EXPLAIN of the SQL the store builds, run through node-postgres as the Prisma adapter runs it
 * (an unnamed statement with untyped parameters, so PostgreSQL plans with the actual values).
 */
import type pg from 'pg';
import type { Prisma } from '../../src/generated/prisma/client.js';

interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Relation Name'?: string;
  readonly 'Index Name'?: string;
  readonly 'Parallel Aware'?: boolean;
  readonly 'Actual Rows'?: number;
  readonly 'Actual Loops'?: number;
  readonly Plans?: readonly PlanNode[];
}

export interface PlanSummary {
  /** A (parallel) sequential scan reads description_request whole. */
  readonly seqScanOnRequests: boolean;
  /** Every scan node, outermost first, e.g. `Index Scan createdAt_id_idx`, `Seq Scan description_image`. */
  readonly scans: readonly string[];
  /** Server-side execution time (EXPLAIN ANALYZE, TIMING OFF), ms. */
  readonly executionMs: number | undefined;
  /** The whole JSON plan, for a closer look. */
  readonly plan: unknown;
}

const SCAN = /Scan$/;
const short = (name: string) => name.replace(/^description_request_/, '');

function walk(node: PlanNode, visit: (node: PlanNode) => void) {
  visit(node);
  for (const child of node.Plans ?? []) walk(child, visit);
}

/** Prisma parameters as the adapter sends them: dates as UTC timestamps, the rest as they are. */
function toPgValue(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}

/**
 * EXPLAIN (FORMAT JSON) of `query`, with ANALYZE (TIMING OFF) unless `analyze` is false: the plan
 * PostgreSQL chooses for these parameter values, and how long it took to execute.
 */
export async function explainPlan(client: pg.ClientBase, query: Prisma.Sql, analyze = true): Promise<PlanSummary> {
  const options = analyze ? 'ANALYZE, TIMING OFF, FORMAT JSON' : 'FORMAT JSON';
  const { rows } = await client.query<{ 'QUERY PLAN': { Plan: PlanNode; 'Execution Time'?: number }[] }>(
    `EXPLAIN (${options}) ${query.text}`,
    query.values.map(toPgValue),
  );
  const root = rows[0]?.['QUERY PLAN'][0];
  if (root === undefined) throw new Error('EXPLAIN returned no plan');
  const scans: string[] = [];
  let seqScanOnRequests = false;
  walk(root.Plan, (node) => {
    if (!SCAN.test(node['Node Type'])) return;
    const parallel = node['Parallel Aware'] ? 'Parallel ' : '';
    const target = node['Index Name'] ?? node['Relation Name'] ?? '';
    scans.push(`${parallel}${node['Node Type']} ${short(target)}`.trim());
    if (node['Node Type'] === 'Seq Scan' && node['Relation Name'] === 'description_request') seqScanOnRequests = true;
  });
  return { seqScanOnRequests, scans, executionMs: root['Execution Time'], plan: root };
}
