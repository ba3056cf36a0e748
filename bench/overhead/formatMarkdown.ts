import { format, resolveConfig } from 'prettier';

/**
 * The results as Prettier would write them (tables padded, the project's settings), so a committed results.md and
 * the README section it fills pass `npm run format:check` without a manual pass.
 */
export async function formatMarkdown(markdown: string, filepath: string): Promise<string> {
  const config = (await resolveConfig(filepath)) ?? {};
  return format(markdown, { ...config, filepath, parser: 'markdown' });
}
