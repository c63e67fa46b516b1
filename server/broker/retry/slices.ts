// Long operations asked for by the console (listing, requeueing or deleting
// thousands of dead letters) work in slices of SLICE_SIZE messages and yield
// to the event loop between slices, so AMQP traffic never stalls behind them.

export const SLICE_SIZE = 1000;

export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
