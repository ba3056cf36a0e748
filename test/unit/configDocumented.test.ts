import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, configDefaults } from '../../src/config.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

interface ConfigRow {
  /** The variables a row documents: every `UPPER_CASE` name in its first cell. */
  readonly variables: string[];
  readonly defaultCell: string;
}

/** The rows of the table under "## Configuration" (the section ends at the next `##` heading). */
function configurationRows(): ConfigRow[] {
  const heading = '\n## Configuration\n';
  const start = readme.indexOf(heading);
  expect(start, 'README has a "## Configuration" section').toBeGreaterThanOrEqual(0);
  const section = readme.slice(start + heading.length).split(/\n## /)[0]!;
  return section
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|\s*-/.test(line))
    .map((line) => line.split('|').map((cell) => cell.trim()))
    .map(([, first = '', defaultCell = '']) => ({
      variables: [...first.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!),
      defaultCell,
    }))
    .filter((row) => row.variables.length > 0);
}

describe('README configuration table', () => {
  it('documents exactly the variables config.ts reads', () => {
    const documented = configurationRows().flatMap((row) => row.variables);
    expect(
      documented.filter((name, i) => documented.indexOf(name) !== i),
      'variables documented twice',
    ).toEqual([]);
    expect([...documented].sort()).toEqual([...CONFIG_VARIABLES].sort());
  });

  it('gives each variable the default config.ts assumes when it is unset', () => {
    const defaults = configDefaults();
    const mismatches = configurationRows().flatMap(({ variables, defaultCell }) =>
      variables
        .filter((name) => defaults[name] !== undefined && !defaultCell.includes(`\`${String(defaults[name])}\``))
        .map((name) => `${name}: README says "${defaultCell}", config.ts assumes \`${String(defaults[name])}\``),
    );
    expect(mismatches).toEqual([]);
  });
});
