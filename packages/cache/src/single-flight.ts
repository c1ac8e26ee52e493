interface Flight<T> {
  position: bigint;
  promise: Promise<T>;
}

/**
 * Concurrent misses on one key share one load. A flight remembers the projection position it began
 * at, and a caller that needs a later position (X-Min-Position) does not join an older flight: that
 * one may read data from before the caller's own write. It starts a newer flight instead.
 */
export class SingleFlight<T> {
  private readonly flights = new Map<string, Flight<T>>();

  /** Joins the flight for `key` when it is fresh enough (`joined` true), or starts one with `load`. */
  run(
    key: string,
    minPosition: bigint,
    position: bigint,
    load: () => Promise<T>,
  ): { promise: Promise<T>; joined: boolean } {
    const current = this.flights.get(key);
    if (current && current.position >= minPosition) return { promise: current.promise, joined: true };
    const flight: Flight<T> = {
      position,
      promise: load().finally(() => {
        if (this.flights.get(key) === flight) this.flights.delete(key);
      }),
    };
    this.flights.set(key, flight);
    return { promise: flight.promise, joined: false };
  }

  get size(): number {
    return this.flights.size;
  }
}
