// A broker for the file-descriptor test, run under a low `ulimit -n`: prints
// its AMQP port, then everything the listener logs. argv[2]: the connection cap (0: none).
import { Broker } from '../../server/broker/broker';
import { startAmqpServer } from '../../server/amqp/server';

const broker = new Broker();
const server = await startAmqpServer({ broker, host: '127.0.0.1', port: 0, maxConnections: Number(process.argv[2]), log: (line) => console.log(line) });
console.log(`port ${server.port}`);
