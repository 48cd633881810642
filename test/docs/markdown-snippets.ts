/** A fenced TypeScript block of a Markdown file. */
export interface Snippet {
  /** 1-based line of the opening fence. */
  readonly fenceLine: number;
  /** The block's text, with the fence's own indentation removed from every line. */
  readonly code: string;
  /**
   * True for a block marked ```` ```ts fragment ````: it shows a piece of code out of its context on purpose (an
   * option list, a handler inside its projection), so it is not compiled.
   */
  readonly fragment: boolean;
  /**
   * For a block whose first line is `// from <path>`: that path, relative to the Markdown file. Such a block quotes
   * the file (its other lines appear in it verbatim, in one piece), so it is checked against the file, which the
   * repository's typecheck compiles, rather than compiled on its own.
   */
  readonly quotes: string | undefined;
}

/** The info strings that make a block TypeScript, and the word that makes it a fragment. */
const TYPESCRIPT = new Set(['ts', 'typescript']);
const FRAGMENT = 'fragment';

const OPENING = /^(\s*)(`{3,}|~{3,})(.*)$/;
const QUOTE = /^\/\/ from (\S+)$/;

/**
 * The fenced blocks of `markdown` whose info string starts with `ts` or `typescript`, in order. Fences may be
 * indented (inside list items), use backticks or tildes, and be longer than three; a block closes at a fence of the
 * same character at least as long, as CommonMark has it. A block left open runs to the end of the file.
 */
export const typescriptSnippets = (markdown: string): Snippet[] => {
  const lines = markdown.split(/\r?\n/);
  const snippets: Snippet[] = [];
  for (let index = 0; index < lines.length; index++) {
    const opening = OPENING.exec(lines[index]!);
    if (opening === null) continue;
    const [, indent = '', fence = '', info = ''] = opening;
    // A backtick fence's info string holds no backtick (CommonMark): ```` ```a` ```` is inline code, not a block.
    if (fence[0] === '`' && info.includes('`')) continue;
    const closing = new RegExp(`^\\s*${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    const body: string[] = [];
    let end = index + 1;
    for (; end < lines.length && !closing.test(lines[end]!); end++) {
      const line = lines[end]!;
      body.push(line.startsWith(indent) ? line.slice(indent.length) : line.trimStart());
    }
    const [language = '', ...words] = info.trim().split(/\s+/);
    if (TYPESCRIPT.has(language.toLowerCase())) {
      const quotes = QUOTE.exec(body[0] ?? '')?.[1];
      snippets.push({ fenceLine: index + 1, code: body.join('\n'), fragment: words.includes(FRAGMENT), quotes });
    }
    index = end;
  }
  return snippets;
};
