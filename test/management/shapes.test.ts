// Warren's management API answers every field name RabbitMQ 3.10 answered
// for the same request (test/fixtures/rabbitmq-3.10-api/, recorded by
// bench/mgmt-api-compare.ts), but those kept out on purpose, with the same
// status code.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keptDifference } from './kept-differences';
import { askEverything, cleanUp, fieldPaths, makeTopology, makeTraffic, settle, type Answer } from './scenario';
import { startManagementServer, type ManagementServer } from './support';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/rabbitmq-3.10-api');
const recorded = fs
  .readdirSync(FIXTURES)
  .sort()
  .map((file) => JSON.parse(fs.readFileSync(path.join(FIXTURES, file), 'utf8')) as Answer & { name: string });

describe("the management API against RabbitMQ 3.10's recorded answers", () => {
  let warren: ManagementServer;
  let answers: Record<string, Answer>;

  beforeAll(async () => {
    warren = await startManagementServer();
    await makeTopology(warren.target);
    const traffic = await makeTraffic(warren.target);
    try {
      await settle(warren.target);
      answers = await askEverything(warren.target);
    } finally {
      await traffic.close();
      await cleanUp(warren.target);
    }
  }, 60_000);
  afterAll(() => warren?.close());

  it('has a recording of every request the scenario makes', () => {
    expect(recorded.map((r) => r.name).sort()).toEqual(Object.keys(answers).sort());
  });

  it.each(recorded.map((r) => [r.name, r] as const))('%s', (name, theirs) => {
    const ours = answers[name]!; // the test above: every recorded name has an answer
    expect(ours.status, JSON.stringify(ours.body)).toBe(theirs.status);
    const mine = fieldPaths(ours.body);
    const missing = [...fieldPaths(theirs.body)].filter((f) => !mine.has(f) && keptDifference(name, f) === null);
    expect(missing).toEqual([]);
  });
});
