import { describe, expect, it } from 'vitest';
import { runTypeScript } from './spawn-tsx.js';

describe('the custom projection example as a program (main.ts)', () => {
  it('runs votes-per-country beside the built-in read models and prints a split that sums to the built-in tally', async () => {
    const { code, stdout, stderr } = await runTypeScript('examples/custom-projection/main.ts', []);
    expect(stderr).not.toMatch(/Error/);
    expect(code).toBe(0);
    expect(stdout).toContain('ballot award-vote closed');
    expect(stdout).toMatch(/^ {2}DE: alpha 2$/m);
    expect(stdout).toMatch(/^ {2}FR: beta 2$/m);
    expect(stdout).toMatch(/^ {2}IT: alpha 1$/m);
    expect(stdout).toContain('counted 5 (the built-in tally counted 5); late 0');
  });
});
