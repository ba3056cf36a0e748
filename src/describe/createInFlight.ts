/** The model calls a server is running, so a stop can wait for them and know when the last row is closed. */
export interface InFlight {
  /** Counts one call from now until `end` is called. */
  begin(): () => void;
  readonly size: number;
  /** Resolves when no call runs (at once if none does). */
  idle(): Promise<void>;
}

export function createInFlight(): InFlight {
  let size = 0;
  let waiters: (() => void)[] = [];
  return {
    begin() {
      size += 1;
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        size -= 1;
        if (size === 0) {
          for (const resolve of waiters) resolve();
          waiters = [];
        }
      };
    },
    get size() {
      return size;
    },
    idle() {
      return size === 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve));
    },
  };
}
