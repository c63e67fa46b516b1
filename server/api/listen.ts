/**
 * Turns a callback subscription (`subscribe(fn)` returning an unsubscribe
 * function) into an async iterable that ends when `signal` aborts. Used by the
 * live tRPC subscriptions. Values that arrive while the consumer is busy are
 * queued; the queue is bounded so a stalled browser cannot grow memory.
 */
export async function* listen<T>(subscribe: (fn: (value: T) => void) => () => void, signal: AbortSignal | undefined, maxQueued = 120): AsyncGenerator<T> {
  const queue: T[] = [];
  let wake: (() => void) | undefined;
  const unsubscribe = subscribe((value) => {
    if (queue.length >= maxQueued) queue.shift();
    queue.push(value);
    wake?.();
  });
  const onAbort = () => wake?.();
  signal?.addEventListener('abort', onAbort);
  try {
    while (!signal?.aborted) {
      if (queue.length === 0) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      yield queue.shift()!;
    }
  } finally {
    unsubscribe();
    signal?.removeEventListener('abort', onAbort);
  }
}
