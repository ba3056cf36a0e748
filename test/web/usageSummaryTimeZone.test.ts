import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from '../helpers/databases.js';
import { seedRow } from '../helpers/seedLedger.js';
import { startTestApp, type TestApp } from '../helpers/startTestApp.js';

const DAYS = `query ($timeZone: String) {
  usageSummary(groupBy: [DAY], timeZone: $timeZone) { day requests }
}`;

describe.each(DATABASES)("usageSummary days in the browser's time zone on %s", (kind) => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp(kind);
    // 20:00 UTC: the next day in India, still the same day in Kyiv (UTC+2 in March).
    await seedRow(app.app.store.descriptions, { createdAt: new Date('2026-03-10T20:00:00Z') });
  });

  afterAll(async () => {
    await app?.stop();
  });

  it('takes the zone names browsers report, also where ICU lists the zone under an older name', async () => {
    const cases: [string, string][] = [
      ['Asia/Kolkata', '2026-03-10T18:30:00.000Z'],
      ['Asia/Calcutta', '2026-03-10T18:30:00.000Z'],
      ['Europe/Kyiv', '2026-03-09T22:00:00.000Z'],
      ['Etc/UTC', '2026-03-10T00:00:00.000Z'],
      ['America/New_York', '2026-03-10T04:00:00.000Z'],
    ];
    for (const [timeZone, day] of cases) {
      const res = await app.gql(DAYS, { timeZone });
      expect(res.errors, timeZone).toBeUndefined();
      expect(res.data!.usageSummary, timeZone).toEqual([{ day, requests: 1 }]);
    }
  });

  it('refuses offsets and unknown names with TIME_ZONE_INVALID', async () => {
    for (const timeZone of ['+05:30', 'Mars/Olympus_Mons', '']) {
      const res = await app.gql(DAYS, { timeZone });
      expect(res.errors?.[0]?.extensions, timeZone).toMatchObject({
        code: 'BAD_USER_INPUT',
        reason: 'TIME_ZONE_INVALID',
      });
    }
  });
});
