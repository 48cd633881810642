// The `prepack` of every published package: npm packs only files inside a package's own folder, so this copies the
// repository's one LICENSE into the package being packed (the copy is gitignored). Run from the package's folder.
import { copyFileSync } from 'node:fs';

copyFileSync(new URL('../LICENSE', import.meta.url), 'LICENSE');
