import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import type { SourcedSnippet } from './typecheck-snippets.js';

/**
 * Why a `// from <path>` block is not a faithful quote of its file, or `undefined` when it is: every line after the
 * marker appears in the file verbatim, in one piece.
 */
export const quoteProblem = (snippet: SourcedSnippet, root: string): string | undefined => {
  if (snippet.quotes === undefined) return undefined;
  const where = `${relative(root, snippet.file)}:${snippet.fenceLine}`;
  const quoted = resolve(dirname(snippet.file), snippet.quotes);
  if (!existsSync(quoted)) return `${where} quotes ${snippet.quotes}, which does not exist`;
  const file = readFileSync(quoted, 'utf8');
  const lines = snippet.code.split('\n').slice(1);
  if (file.includes(lines.join('\n'))) return undefined;
  // The quote drifted: name the first line that no longer follows the one before it in the file.
  for (let count = 1; count <= lines.length; count++) {
    if (!file.includes(lines.slice(0, count).join('\n'))) {
      return `${where} quotes ${snippet.quotes}, but from README line ${snippet.fenceLine + 1 + count} on it differs: ${JSON.stringify(lines[count - 1])}`;
    }
  }
  return `${where} quotes ${snippet.quotes}, but the file does not hold it`;
};
