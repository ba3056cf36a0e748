// @ts-check
// The dashboard's series, shaped from one Dashboard query (usageSummary buckets) for a run of
// days. Pure: no DOM, no charts, so the numbers the charts show are exactly the buckets'.

/** @typedef {import('../../generated/webOperations.js').DashboardQuery} DashboardQuery */
/** @typedef {import('../../generated/webOperations.js').DescriptionStatus} DescriptionStatus */

/**
 * Every status a row can have, in the order the charts stack them. Typed by the schema's enum:
 * a status added to schema.graphql fails the type check until it has its place here.
 * @type {Readonly<Record<DescriptionStatus, true>>}
 */
const ALL_STATUSES = { SUCCEEDED: true, FAILED: true, PENDING: true };

export const STATUSES = /** @type {readonly DescriptionStatus[]} */ (Object.keys(ALL_STATUSES));

/**
 * @typedef {object} DashboardSeries
 * @property {string[]} days YYYY-MM-DD, every day of the range (days without requests included)
 * @property {{ model: string, values: number[] }[]} costByModel USD per day, one series per model, costliest first
 * @property {{ status: DescriptionStatus, values: number[] }[]} requestsByStatus requests per day, one series per status
 * @property {number[]} inputTokens per day
 * @property {number[]} outputTokens per day
 * @property {(number | null)[]} latencyP50Ms per day; null on days without a latency
 * @property {(number | null)[]} latencyP95Ms
 * @property {{ requests: number, failed: number, inputTokens: number, outputTokens: number, costUsd: string, latencyP50Ms: number | null, latencyP95Ms: number | null }} totals
 */

/**
 * The day (YYYY-MM-DD) a bucket's `day` instant starts in `timeZone`.
 * @param {string} instant @param {string} timeZone
 */
export function dayIn(instant, timeZone) {
  // en-CA writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(instant),
  );
}

/**
 * @param {DashboardQuery} data buckets cut in `timeZone`
 * @param {string[]} days the range's days, in order
 * @param {string} timeZone
 * @returns {DashboardSeries}
 */
export function dashboardSeries(data, days, timeZone) {
  const index = new Map(days.map((day, i) => [day, i]));
  const at = (/** @type {string | null} */ instant) =>
    instant === null ? undefined : index.get(dayIn(instant, timeZone));
  const zeros = () => days.map(() => 0);

  /** @type {Map<string, number[]>} */
  const cost = new Map();
  const inputTokens = zeros();
  const outputTokens = zeros();
  for (const b of data.byModel) {
    const i = at(b.day);
    if (i === undefined) continue;
    const model = b.model ?? '?';
    const values = cost.get(model) ?? zeros();
    values[i] = (values[i] ?? 0) + Number(b.costUsd);
    cost.set(model, values);
    inputTokens[i] = (inputTokens[i] ?? 0) + b.inputTokens;
    outputTokens[i] = (outputTokens[i] ?? 0) + b.outputTokens;
  }
  const sum = (/** @type {number[]} */ values) => values.reduce((a, b) => a + b, 0);
  const costByModel = [...cost]
    .map(([model, values]) => ({ model, values }))
    .sort((a, b) => sum(b.values) - sum(a.values) || a.model.localeCompare(b.model));

  /** @type {Map<DescriptionStatus, number[]>} */
  const byStatus = new Map();
  for (const b of data.byStatus) {
    const i = at(b.day);
    if (i === undefined || b.status === null) continue;
    const values = byStatus.get(b.status) ?? zeros();
    values[i] = (values[i] ?? 0) + b.requests;
    byStatus.set(b.status, values);
  }
  const requestsByStatus = STATUSES.flatMap((status) => {
    const values = byStatus.get(status);
    return values === undefined ? [] : [{ status, values }];
  });

  /** @type {(number | null)[]} */
  const latencyP50Ms = days.map(() => null);
  /** @type {(number | null)[]} */
  const latencyP95Ms = days.map(() => null);
  for (const b of data.byDay) {
    const i = at(b.day);
    if (i === undefined) continue;
    latencyP50Ms[i] = b.latencyP50Ms;
    latencyP95Ms[i] = b.latencyP95Ms;
  }

  const overall = data.overall[0];
  return {
    days,
    costByModel,
    requestsByStatus,
    inputTokens,
    outputTokens,
    latencyP50Ms,
    latencyP95Ms,
    totals: {
      requests: overall?.requests ?? 0,
      failed: sum(byStatus.get('FAILED') ?? []),
      inputTokens: overall?.inputTokens ?? 0,
      outputTokens: overall?.outputTokens ?? 0,
      costUsd: overall?.costUsd ?? '0',
      latencyP50Ms: overall?.latencyP50Ms ?? null,
      latencyP95Ms: overall?.latencyP95Ms ?? null,
    },
  };
}
