/** RFC 3339 date-time: a calendar date, a time, and a zone (`Z` or an offset); fractions of a second optional. */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|[+-](\d{2}):(\d{2}))$/i;

const daysIn = (year: number, month: number): number =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

/**
 * True for an RFC 3339 instant with a zone that names a real moment: `2020-11-10T09:00:00Z`,
 * `2020-11-10T10:00:00.5+01:00`. Refused: a time without a zone (another instant on a machine in another zone), and
 * fields out of range, which `Date` would quietly roll over (February 30th, hour 24). A leap second (`:60`) is
 * refused too: JavaScript dates cannot represent it.
 */
export const isRfc3339Instant = (text: unknown): boolean => {
  if (typeof text !== 'string') return false;
  const parts = RFC3339.exec(text);
  if (parts === null) return false;
  const [, year, month, day, hour, minute, second, offsetHour, offsetMinute] = parts.map(Number) as number[];
  return month! >= 1 && month! <= 12 && day! >= 1 && day! <= daysIn(year!, month!) && hour! <= 23 && minute! <= 59 && second! <= 59 &&
    (Number.isNaN(offsetHour) || (offsetHour! <= 23 && offsetMinute! <= 59));
};
