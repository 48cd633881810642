import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRfc3339Instant } from './rfc3339.js';

/** The same rule, written the slow and obvious way: a regular expression, then each field's range. */
const reference = (text: string): boolean => {
  const parts = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|[+-](\d{2}):(\d{2}))$/i.exec(text);
  if (parts === null) return false;
  const [year, month, day, hour, minute, second] = parts.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const lastDay = new Date(Date.UTC(2000, month, 0)).getUTCDate() - (month === 2 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) ? 1 : 0);
  const offset = parts[7] === undefined || (Number(parts[7]) <= 23 && Number(parts[8]) <= 59);
  return month >= 1 && month <= 12 && day >= 1 && day <= lastDay && hour <= 23 && minute <= 59 && second <= 59 && offset;
};

const instant = fc.date({ min: new Date('0000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true });
const offset = fc.tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
  .map(([sign, hours, minutes]) => `${sign}${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`);
const written = fc.tuple(instant, fc.oneof(fc.constant('Z'), fc.constant('z'), offset), fc.constantFrom('', '.5', '.000', '.123456789'))
  .map(([date, zone, fraction]) => `${date.toISOString().slice(0, 19)}${fraction}${zone}`);

describe('isRfc3339Instant', () => {
  it.each(['2020-11-10T09:00:00Z', '2020-11-10t09:00:00.5z', '2020-11-10T10:00:00+01:00', '2020-02-29T23:59:59-12:00', '2000-02-29T00:00:00Z'])('accepts %s', (text) => {
    expect(isRfc3339Instant(text)).toBe(true);
  });
  it.each(['2020-11-10T09:00:00', '2020-11-10 09:00:00Z', '2020-02-30T00:00:00Z', '2021-02-29T00:00:00Z', '1900-02-29T00:00:00Z',
    '2020-13-01T00:00:00Z', '2020-11-10T24:00:00Z', '2020-11-10T23:59:60Z', '2020-11-10T09:00:00+25:00', '2020-11-10T09:00:00.Z',
    '2020-11-10T09:00:00Z ', '2020-11-10T09:00:00+01:00:00', '2020-11-10', '', '２020-11-10T09:00:00Z'])('refuses %j', (text) => {
    expect(isRfc3339Instant(text)).toBe(false);
  });
  it('accepts every instant written with a zone, and agrees with the obvious rule on any change to one', () => {
    fc.assert(
      fc.property(written, fc.nat(), fc.string({ unit: 'binary-ascii', maxLength: 2 }), (text, at, replacement) => {
        expect(isRfc3339Instant(text)).toBe(true);
        const index = at % text.length;
        const changed = text.slice(0, index) + replacement + text.slice(index + 1);
        expect(isRfc3339Instant(changed)).toBe(reference(changed));
      }),
      { numRuns: 3000 },
    );
  });
});
