import { readFile, writeFile } from 'node:fs/promises';

const START = '<!-- bench:overhead:start -->';
const END = '<!-- bench:overhead:end -->';

/**
 * Replaces what lies between the bench:overhead markers in the README with `markdown`. The markers are the README
 * author's to place: without both, in order, nothing is written and the reason is returned.
 */
export async function updateReadme(readmePath: string, markdown: string): Promise<string> {
  const text = await readFile(readmePath, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start === -1 || end === -1 || end < start) {
    return `README.md not changed: it has no ${START} … ${END} pair`;
  }
  await writeFile(readmePath, `${text.slice(0, start + START.length)}\n\n${markdown.trim()}\n\n${text.slice(end)}`);
  return 'README.md updated between the bench:overhead markers';
}
