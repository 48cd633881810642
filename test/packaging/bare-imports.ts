import { readdirSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join } from 'node:path';
import ts from 'typescript';

/** `fp-ts/lib/Either.js` → `fp-ts`; `@scope/name/sub` → `@scope/name`. */
export const packageNameOf = (specifier: string): string => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

const javaScriptFiles = (folder: string): string[] =>
  readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.js'))
    .map((entry) => join(entry.parentPath, entry.name));

/**
 * The packages that the JavaScript under `folder` imports, statically or with `import()`, each with a file that does.
 * TypeScript's own pre-processor finds the specifiers, so import-like text in comments and strings does not count.
 */
export const importedPackages = (folder: string): Map<string, string> => {
  const found = new Map<string, string>();
  for (const file of javaScriptFiles(folder)) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName: specifier } of importedFiles) {
      if (specifier.startsWith('.') || specifier.startsWith('/') || isBuiltin(specifier)) continue;
      const name = packageNameOf(specifier);
      if (!found.has(name)) found.set(name, file);
    }
  }
  return found;
};
