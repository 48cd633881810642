import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findReadmes } from './find-readmes.js';
import { typescriptSnippets } from './markdown-snippets.js';
import { quoteProblem } from './quoted-snippets.js';
import { typecheckSnippets, type SourcedSnippet } from './typecheck-snippets.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tsconfig = join(root, 'tsconfig.json');

describe('typescriptSnippets', () => {
  it('finds ts and typescript blocks with their fence lines, skips other languages, and marks fragments', () => {
    const markdown = [
      '# Title', // 1
      '```ts', // 2
      'const a = 1;', // 3
      '```', // 4
      '```sh', // 5
      'npm start', // 6
      '```', // 7
      '- a list item:', // 8
      '  ```typescript', // 9
      '  const b = 2;', // 10
      '    const c = 3;', // 11
      '  ```', // 12
      '~~~~ts fragment', // 13
      'handlers: {},', // 14
      '```', // 15: a shorter fence of the other kind does not close it
      '~~~~', // 16
      '```ts title="x"', // 17
      '```', // 18
    ].join('\n');
    expect(typescriptSnippets(markdown)).toEqual([
      { fenceLine: 2, code: 'const a = 1;', fragment: false, quotes: undefined },
      { fenceLine: 9, code: 'const b = 2;\n  const c = 3;', fragment: false, quotes: undefined },
      { fenceLine: 13, code: 'handlers: {},\n```', fragment: true, quotes: undefined },
      { fenceLine: 17, code: '', fragment: false, quotes: undefined },
    ]);
  });

  it('reads a `// from <path>` first line as a quote of that file', () => {
    expect(typescriptSnippets('```ts\n// from ./main.ts\nconst a = 1;\n```')).toEqual([
      { fenceLine: 1, code: '// from ./main.ts\nconst a = 1;', fragment: false, quotes: './main.ts' },
    ]);
  });

  it('reads a block left open to the end of the file', () => {
    expect(typescriptSnippets('```ts\nconst a = 1;\n')).toEqual([{ fenceLine: 1, code: 'const a = 1;\n', fragment: false, quotes: undefined }]);
  });
});

describe('typecheckSnippets', () => {
  it('names the README line of an error, and resolves workspace packages and the README\'s neighbours', () => {
    const file = join(root, 'examples/minimal/README.md');
    const snippets: SourcedSnippet[] = [
      { file, fenceLine: 10, fragment: false, quotes: undefined, code: "import { bookId } from './ids.js';\nimport { given } from '@clusterconf/domain/testing';\nbookId('dune');\nvoid given;" },
      { file, fenceLine: 20, fragment: false, quotes: undefined, code: "import { bookId } from './ids.js';\n\nconst dune = bookId('dune');\ndune.nope();" },
    ];
    const problems = typecheckSnippets(snippets, tsconfig, root);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ where: 'examples/minimal/README.md:24', fenceLine: 20 });
    expect(problems[0]!.message).toMatch(/^TS2339: Property 'nope' does not exist/);
  });
});

describe('quoteProblem', () => {
  const file = join(root, 'test/docs/README.md');
  const quote = (code: string) => ({ file, fenceLine: 7, fragment: false, quotes: './find-readmes.ts', code: `// from ./find-readmes.ts\n${code}` });

  it('accepts lines that follow each other in the quoted file', () => {
    expect(quoteProblem(quote("import { readdirSync } from 'node:fs';\nimport { join } from 'node:path';"), root)).toBeUndefined();
  });

  it('names the README line where a quote stops matching its file', () => {
    expect(quoteProblem(quote("import { readdirSync } from 'node:fs';\nimport { join } from 'node:url';"), root)).toBe(
      'test/docs/README.md:7 quotes ./find-readmes.ts, but from README line 10 on it differs: "import { join } from \'node:url\';"',
    );
  });

  it('names a quoted file that does not exist', () => {
    expect(quoteProblem({ ...quote('x'), quotes: './gone.ts' }, root)).toBe('test/docs/README.md:7 quotes ./gone.ts, which does not exist');
  });
});

describe('every TypeScript snippet of every README', () => {
  const readmes = findReadmes(root);
  const snippets = readmes.flatMap((file) => typescriptSnippets(readFileSync(file, 'utf8')).map((snippet) => ({ ...snippet, file })));

  it('is found: the READMEs of the packages and examples, none under node_modules or dist', () => {
    const found = readmes.map((file) => relative(root, file));
    expect(found).toEqual(expect.arrayContaining(['README.md', 'packages/domain/README.md', 'packages/projections/README.md', 'examples/minimal/README.md']));
    expect(found.filter((file) => /(^|\/)(node_modules|dist)\//.test(file))).toEqual([]);
    expect(snippets.filter((snippet) => !snippet.fragment && snippet.quotes === undefined).length).toBeGreaterThan(10);
  });

  it('quotes its file faithfully, when it is marked `// from <path>`', () => {
    expect(snippets.map((snippet) => quoteProblem(snippet, root)).filter((problem) => problem !== undefined)).toEqual([]);
  });

  it('compiles as a module of its own, imports included (quotes and ```ts fragment blocks excepted)', () => {
    const compiled = snippets.filter((snippet) => !snippet.fragment && snippet.quotes === undefined);
    const problems = typecheckSnippets(compiled, tsconfig, root);
    expect(problems.map((problem) => `${problem.where} (block at line ${problem.fenceLine}): ${problem.message}`)).toEqual([]);
  });
});
