import { dirname, relative } from 'node:path';
import ts from 'typescript';
import type { Snippet } from './markdown-snippets.js';

/** A snippet to compile, and the Markdown file it came from. */
export interface SourcedSnippet extends Snippet {
  /** Absolute path of the Markdown file. */
  readonly file: string;
}

/** A compiler error in a snippet, placed in its Markdown file. */
export interface SnippetProblem {
  /** `README path:line`, the line being the Markdown file's own. */
  readonly where: string;
  readonly fenceLine: number;
  readonly message: string;
}

/**
 * Where a snippet's module lives: beside its Markdown file, under a name no real file has. It is never written; the
 * compiler host serves it from memory. So a snippet resolves imports exactly as a module next to its README would:
 * workspace packages through node_modules (and the `@clusterconf/source` condition of the repository's tsconfig),
 * `./file.js` as the README's neighbour, and its package.json `type` decides it is an ES module.
 */
const moduleNameOf = (snippet: SourcedSnippet): string => `${snippet.file}.line-${snippet.fenceLine}.ts`;

/** The compiler options of `tsconfig` (the repository's), made fit for snippets: nothing emitted or declared. */
const optionsOf = (tsconfig: string): ts.CompilerOptions => {
  const read = ts.readConfigFile(tsconfig, ts.sys.readFile);
  if (read.error !== undefined) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, dirname(tsconfig));
  return { ...parsed.options, noEmit: true, declaration: false, declarationMap: false, sourceMap: false, inlineSources: false, incremental: false };
};

/**
 * Typechecks every snippet as its own module, all in one program, with the options of `tsconfig`. Returns one problem
 * per diagnostic in a snippet, placed at its README line; an empty list means every snippet compiles.
 */
export const typecheckSnippets = (snippets: readonly SourcedSnippet[], tsconfig: string, root: string): SnippetProblem[] => {
  const options = optionsOf(tsconfig);
  const modules = new Map(snippets.map((snippet) => [moduleNameOf(snippet), snippet]));
  const host = ts.createCompilerHost(options, true);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (name) => modules.has(name) || fileExists.call(host, name);
  host.readFile = (name) => modules.get(name)?.code ?? readFile.call(host, name);
  host.getSourceFile = (name, language, onError, shouldCreate) => {
    const snippet = modules.get(name);
    return snippet === undefined ? getSourceFile.call(host, name, language, onError, shouldCreate) : ts.createSourceFile(name, snippet.code, language, true);
  };
  const program = ts.createProgram({ rootNames: [...modules.keys()], options, host });

  const problems: SnippetProblem[] = program.getOptionsDiagnostics().map((diagnostic) => ({
    where: tsconfig, fenceLine: 0, message: ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'),
  }));
  for (const [name, snippet] of modules) {
    const source = program.getSourceFile(name);
    if (source === undefined) throw new Error(`the compiler did not load the snippet module ${name}`);
    // A block that does not parse gets only its syntax errors: the type errors that follow from them are noise.
    const syntactic = program.getSyntacticDiagnostics(source);
    for (const diagnostic of syntactic.length > 0 ? syntactic : program.getSemanticDiagnostics(source)) {
      const line = diagnostic.start === undefined ? 0 : source.getLineAndCharacterOfPosition(diagnostic.start).line;
      problems.push({
        // The block's first line is the one after its opening fence.
        where: `${relative(root, snippet.file)}:${snippet.fenceLine + 1 + line}`,
        fenceLine: snippet.fenceLine,
        message: `TS${diagnostic.code}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`,
      });
    }
  }
  return problems;
};
