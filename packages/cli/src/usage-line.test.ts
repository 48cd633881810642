import { describe, expect, it } from 'vitest';
import { usageLine } from './usage-line.js';

describe('usageLine', () => {
  it('joins commander\'s suggestion onto the error\'s line', () => {
    expect(usageLine("error: unknown command 'statsu'\n(Did you mean status?)\n")).toBe("unknown command 'statsu'; did you mean status?");
    expect(usageLine("error: unknown option '--jsn'\n(Did you mean one of --json, --js?)")).toBe("unknown option '--jsn'; did you mean one of --json, --js?");
  });

  it('leaves a one-line error as it is, without its "error: " prefix', () => {
    expect(usageLine("error: missing required argument 'file'\n")).toBe("missing required argument 'file'");
  });

  it('puts any other lines on the one line too', () => {
    expect(usageLine('error: first\n\n  second  \n')).toBe('first; second');
  });
});
