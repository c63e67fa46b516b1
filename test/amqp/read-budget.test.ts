import { describe, expect, it } from 'vitest';
import { waitFor, withBroker, withChannel } from './helpers';

// A publisher sending flat out must not hold the broker for everyone else:
// each connection's input is handled in slices of at most 256 KiB per
// event-loop turn, so another connection is answered in between. Measured in
// messages taken from the burst during the other client's round trip, not in
// milliseconds: without slices, one turn takes up to 2 MiB (libuv reads a
// busy socket 32 times); with them, a round trip spans a few slices.

const BODY_BYTES = 1000;
const BURST = 30_000;
/** 1.5 MB of the burst: more than a few slices, less than one unsliced turn. */
const MOST_TAKEN_DURING_ROUND_TRIP = 1500;

describe('reading a flat-out publisher', () => {
  it(
    'answers another connection between slices of the burst, and takes the whole burst',
    () =>
      withBroker(({ url, broker }) =>
        withChannel(url, (pub) =>
          withChannel(url, async (other) => {
            await pub.assertQueue('burst');
            await other.assertQueue('quiet');
            const ready = () => broker.getQueue('/', 'burst').ready;
            const body = Buffer.alloc(BODY_BYTES, 1);
            for (let i = 0; i < BURST; i++) pub.sendToQueue('burst', body);

            const takenDuringRoundTrip: number[] = [];
            while (ready() < BURST) {
              const before = ready();
              await other.checkQueue('quiet');
              if (ready() < BURST) takenDuringRoundTrip.push(ready() - before);
            }
            expect(takenDuringRoundTrip.length).toBeGreaterThan(5);
            expect(Math.max(...takenDuringRoundTrip)).toBeLessThan(MOST_TAKEN_DURING_ROUND_TRIP);
            await waitFor(() => ready() === BURST, 5000, 'the whole burst queued');
          }),
        ),
      ),
    60_000,
  );
});
