// Records RabbitMQ 3.10's management API answers and compares Warren's with them, field name by field name.
//
//   npx tsx bench/mgmt-api-compare.ts record [http://127.0.0.1:15681] [amqp://guest:guest@127.0.0.1:5681]
//     plays test/management/scenario.ts against a RabbitMQ node with rabbitmq_management enabled and
//     rewrites test/fixtures/rabbitmq-3.10-api/ (one file per request).
//   npx tsx bench/mgmt-api-compare.ts compare
//     starts a Warren in this process, plays the same scenario and prints, per request, the status
//     codes and the field names one side has and the other has not (the kept differences marked).
//
// Run by hand; the test suite's test/management/shapes.test.ts checks the same against the fixtures.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { askEverything, cleanUp, fieldPaths, fixtureName, makeTopology, makeTraffic, settle, type Answer, type Target } from '../test/management/scenario';
import { keptDifference } from '../test/management/kept-differences';
import { startManagementServer } from '../test/management/support';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURES = path.join(root, 'test/fixtures/rabbitmq-3.10-api');

async function play(target: Target): Promise<Record<string, Answer>> {
  await makeTopology(target);
  const traffic = await makeTraffic(target);
  try {
    await settle(target);
    return await askEverything(target);
  } finally {
    await traffic.close();
    await cleanUp(target);
  }
}

async function record(httpUrl: string, amqpUrl: string): Promise<void> {
  const answers = await play({ http: httpUrl, amqp: amqpUrl, user: 'guest', password: 'guest' });
  fs.rmSync(FIXTURES, { recursive: true, force: true });
  fs.mkdirSync(FIXTURES, { recursive: true });
  for (const [name, answer] of Object.entries(answers)) {
    fs.writeFileSync(path.join(FIXTURES, `${fixtureName(name)}.json`), `${JSON.stringify({ name, ...answer }, null, 2)}\n`);
  }
  console.log(`recorded ${Object.keys(answers).length} answers into ${path.relative(root, FIXTURES)}`);
}

async function compare(): Promise<void> {
  const warren = await startManagementServer();
  let differences = 0;
  try {
    const answers = await play(warren.target);
    for (const file of fs.readdirSync(FIXTURES).sort()) {
      const recorded = JSON.parse(fs.readFileSync(path.join(FIXTURES, file), 'utf8')) as Answer & { name: string };
      const ours = answers[recorded.name];
      if (!ours) {
        console.log(`${recorded.name}: not asked`);
        differences++;
        continue;
      }
      const theirs = fieldPaths(recorded.body);
      const mine = fieldPaths(ours.body);
      const missing = [...theirs].filter((f) => !mine.has(f));
      const extra = [...mine].filter((f) => !theirs.has(f));
      const status = recorded.status === ours.status ? '' : ` status ${ours.status}, RabbitMQ ${recorded.status}`;
      if (!status && missing.length === 0 && extra.length === 0) continue;
      console.log(`${recorded.name}:${status}`);
      for (const f of missing) {
        const why = keptDifference(recorded.name, f);
        if (why === null) differences++;
        console.log(`  - ${f}${why === null ? '' : `   (kept: ${why})`}`);
      }
      for (const f of extra) console.log(`  + ${f}`);
      if (status) differences++;
    }
  } finally {
    await warren.close();
  }
  console.log(differences === 0 ? 'no differences beyond the kept ones' : `${differences} differences not in the kept list`);
  process.exitCode = differences === 0 ? 0 : 1;
}

const [mode, a, b] = process.argv.slice(2);
if (mode === 'record') await record(a ?? 'http://127.0.0.1:15681', b ?? 'amqp://guest:guest@127.0.0.1:5681');
else if (mode === 'compare') await compare();
else {
  console.error('usage: tsx bench/mgmt-api-compare.ts record [http-url] [amqp-url] | compare');
  process.exitCode = 2;
}
