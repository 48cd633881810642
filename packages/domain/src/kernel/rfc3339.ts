const daysIn = (year: number, month: number): number =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;

/** The value of the two decimal digits at `at`, or -1 when either is not a digit. */
const twoDigits = (text: string, at: number): number => {
  const tens = text.charCodeAt(at) - 48;
  const ones = text.charCodeAt(at + 1) - 48;
  return tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9 ? tens * 10 + ones : -1;
};

/**
 * True for an RFC 3339 instant with a zone that names a real moment: `2020-11-10T09:00:00Z`,
 * `2020-11-10T10:00:00.5+01:00` (`T` and `Z` in either case). Refused: a time without a zone (another instant on a
 * machine in another zone), and fields out of range, which `Date` would quietly roll over (February 30th, hour 24). A
 * leap second (`:60`) is refused too: JavaScript dates cannot represent it. Read character by character rather than
 * with a regular expression and `Number` per field: readers check every stored event's `occurredAt`, and this
 * allocates nothing.
 */
export const isRfc3339Instant = (text: unknown): boolean => {
  if (typeof text !== 'string' || text.length < 20) return false;
  const century = twoDigits(text, 0);
  const yearOfCentury = twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  const second = twoDigits(text, 17);
  const separator = text.charCodeAt(10);
  if (
    century < 0 || yearOfCentury < 0 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || (separator !== 84 && separator !== 116) ||
    text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58 || month < 1 || month > 12 || day < 1 ||
    day > daysIn(century * 100 + yearOfCentury, month) || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59
  ) {
    return false;
  }
  let at = 19;
  if (text.charCodeAt(at) === 46) {
    // A fraction: a dot and at least one digit.
    const start = ++at;
    while (at < text.length && text.charCodeAt(at) >= 48 && text.charCodeAt(at) <= 57) at++;
    if (at === start) return false;
  }
  const zone = text.charCodeAt(at);
  if (zone === 90 || zone === 122) return at + 1 === text.length;
  if (zone !== 43 && zone !== 45) return false;
  const offsetHour = twoDigits(text, at + 1);
  const offsetMinute = twoDigits(text, at + 4);
  return at + 6 === text.length && text.charCodeAt(at + 3) === 58 && offsetHour >= 0 && offsetHour <= 23 && offsetMinute >= 0 && offsetMinute <= 59;
};
