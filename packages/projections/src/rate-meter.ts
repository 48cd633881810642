/** Events per second over a sliding window, from (time, running total) samples taken at each commit. */
export class RateMeter {
  readonly #windowMs: number;
  readonly #samples: { readonly at: number; readonly total: number }[] = [];

  constructor(windowMs = 10_000) {
    this.#windowMs = windowMs;
  }

  /** Records the running total of events at time `at` (milliseconds). */
  sample(at: number, total: number): void {
    this.#samples.push({ at, total });
    // Keep one sample older than the window as the anchor of the rate.
    while (this.#samples.length > 2 && this.#samples[1]!.at < at - this.#windowMs) this.#samples.shift();
  }

  /** The rate between the window's oldest sample and `now`, given the running total now. */
  rate(now: number, total: number): number {
    const oldest = this.#samples[0];
    if (oldest === undefined || now <= oldest.at) return 0;
    return Math.round(((total - oldest.total) * 1000) / (now - oldest.at));
  }
}
