/**
 * Commander's message for a usage error as the CLI's one line: `error: unknown command 'statsu'` followed by
 * `(Did you mean status?)` on a line of its own becomes `unknown command 'statsu'; did you mean status?`.
 */
export const usageLine = (text: string): string =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => line.replace(/^error: /, '').replace(/^\((Did you mean .*\?)\)$/, (_all, suggestion: string) => suggestion.replace(/^Did/, 'did')))
    .join('; ');
