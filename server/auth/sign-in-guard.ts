/**
 * Slows down password guessing, per peer address. Consecutive failures make
 * each next attempt wait (100 ms doubling, at most 5 s); the failure counts
 * live in an LRU, so a flood of addresses cannot grow memory. Attempts being
 * checked at the same time from one address are capped: waiting alone does
 * not slow down a guesser who sends many attempts in parallel.
 */
import { Lru } from './lru';

const MAX_DELAY_MS = 5_000;
const REMEMBERED_ADDRESSES = 10_000;
/** Attempts from one address checked at once; more are refused without checking. */
export const MAX_IN_FLIGHT_PER_ADDRESS = 3;

export type GuardedResult<T> = { admitted: true; value: T } | { admitted: false };

export class SignInGuard {
  private readonly failures = new Lru<string, number>(REMEMBERED_ADDRESSES);
  /** Attempts running per address; an address leaves the map when its last attempt ends. */
  private readonly inFlight = new Map<string, number>();

  /** Runs `attempt` after the address's back-off, unless too many of its attempts are running already. */
  async attempt<T>(address: string, attempt: () => Promise<{ ok: boolean; value: T }>): Promise<GuardedResult<T>> {
    const running = this.inFlight.get(address) ?? 0;
    if (running >= MAX_IN_FLIGHT_PER_ADDRESS) return { admitted: false };
    this.inFlight.set(address, running + 1);
    try {
      const failures = this.failures.get(address) ?? 0;
      if (failures > 0) await new Promise((r) => setTimeout(r, Math.min(MAX_DELAY_MS, 100 * 2 ** (failures - 1))));
      const { ok, value } = await attempt();
      if (ok) this.failures.delete(address);
      else this.failures.set(address, (this.failures.get(address) ?? 0) + 1);
      return { admitted: true, value };
    } finally {
      const left = (this.inFlight.get(address) ?? 1) - 1;
      if (left === 0) this.inFlight.delete(address);
      else this.inFlight.set(address, left);
    }
  }

  /** Addresses whose failures are remembered (bounded). */
  get rememberedAddresses(): number {
    return this.failures.size;
  }
}
