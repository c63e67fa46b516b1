// Starts Warren's engine and AMQP listener alone (no console, no database),
// for the AMQP benchmarks to run against in a process of its own.
// Run: npx tsx bench/amqp-warren.ts <port>   (prints "ready <port>")

import { Broker } from '../server/broker/broker';
import { startAmqpServer } from '../server/amqp/server';

const broker = new Broker();
const server = await startAmqpServer({ broker, host: '127.0.0.1', port: Number(process.argv[2] ?? 0) });
console.log(`ready ${server.port}`);
process.on('SIGTERM', () => {
  void server.close().then(() => {
    broker.close();
    process.exit(0);
  });
});
