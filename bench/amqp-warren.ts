// Starts Warren's engine and AMQP listener alone (no console, no database),
// for the AMQP benchmarks to run against in a process of its own.
// Run: npx tsx bench/amqp-warren.ts <port>   (prints "ready <port> <store class>")

import { Broker } from '../server/broker/broker';
import { startAmqpServer } from '../server/amqp/server';

const broker = new Broker();
const server = await startAmqpServer({ broker, host: '127.0.0.1', port: Number(process.argv[2] ?? 0) });
// The store's class tells whether persistent messages really reach a journal here.
console.log(`ready ${server.port} ${broker.store.constructor.name}`);
process.on('SIGTERM', () => {
  void server.close().then(() => {
    broker.close();
    process.exit(0);
  });
});
