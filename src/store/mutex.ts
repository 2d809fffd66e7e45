// Named async mutexes for one process, each waiter giving up after its own wait. This is the
// embedded store's withLock: one process holds the file, so excluding within it is enough.
import { StoreUnavailableError } from "./types.js";

interface Lock {
  waiters: (() => void)[];
}

export class Mutexes {
  /** Held locks by name; a name is absent when free, so the map does not grow with lock names. */
  private readonly held = new Map<string, Lock>();

  /** Resolves a release function once the lock is ours; rejects when not free within waitMs. */
  acquire(name: string, waitMs: number): Promise<() => void> {
    const lock = this.held.get(name);
    if (!lock) {
      this.held.set(name, { waiters: [] });
      return Promise.resolve(this.releaser(name));
    }
    return new Promise((resolve, reject) => {
      const waiter = () => {
        clearTimeout(timer);
        resolve(this.releaser(name));
      };
      const timer = setTimeout(() => {
        const at = lock.waiters.indexOf(waiter);
        if (at >= 0) lock.waiters.splice(at, 1);
        reject(new StoreUnavailableError(`The lock "${name}" was not free within ${waitMs} ms.`));
      }, waitMs);
      lock.waiters.push(waiter);
    });
  }

  /** A release that works once: the lock passes to the next waiter, or becomes free. */
  private releaser(name: string): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const lock = this.held.get(name);
      const next = lock?.waiters.shift();
      if (next) next();
      else this.held.delete(name);
    };
  }
}
