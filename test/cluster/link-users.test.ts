// The users other nodes' links log in as (`cluster:<node>`, docs/cluster.md,
// The forwarding path) may do everything in every vhost, and show nowhere a
// user or a permission is listed: the console's Users and Permissions, the
// management API's /api/users and /api/permissions, definitions exports.
// One node is a child process (node-process.ts), the other runs in this
// process to reach its API. Real PostgreSQL (TEST_DATABASE_URL).

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '../../server/api/root';
import { createManagementHandler } from '../../server/http/management/router';
import { MANAGEMENT_ROUTES } from '../../server/http/management/routes';
import { postgresUrl } from '../db/helpers';
import { ClusterFixture, type InProcessNode, type NodeProcess, pause, SETTLE_MS, within } from './support';

describe.skipIf(!postgresUrl)('link users are not shown as users or permissions (needs TEST_DATABASE_URL, see scripts/start-test-postgres.sh)', () => {
  const cluster = new ClusterFixture(postgresUrl as string);
  let remote: NodeProcess;
  let local: InProcessNode;
  let http: Server;
  let httpUrl: string;

  const connect = (url: string) => cluster.connect(url);
  const api = () =>
    appRouter.createCaller({ services: local.services, user: { name: 'guest', tags: ['administrator'] }, peerAddress: '127.0.0.1', setCookie: () => {} });
  const management = async (path: string) => {
    const res = await fetch(`${httpUrl}${path}`, { headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` } });
    expect(res.status).toBe(200);
    return res.json() as Promise<unknown>;
  };

  beforeAll(async () => {
    await cluster.open();
    remote = await cluster.start('k2');
    local = await cluster.startInProcess('k1');
    http = createServer(createManagementHandler(MANAGEMENT_ROUTES, () => local.services));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    httpUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  }, 60_000);

  afterAll(() => cluster.close(), 60_000);

  it('lets the link of node k2 publish to a queue of k1, and lists it as neither user nor permission on k1', async () => {
    await (await (await connect(local.url)).createChannel()).assertQueue('linked'); // k1 owns it
    await pause(SETTLE_MS);
    const publisher = await (await connect(remote.url)).createConfirmChannel();
    publisher.sendToQueue('linked', Buffer.from('over the link'), { persistent: true });
    await publisher.waitForConfirms();
    await within(3_000, "k2's link connected to k1", () => local.broker.listConnections().some((c) => c.user === 'cluster:k2'));

    const isLink = (name: unknown) => typeof name === 'string' && name.startsWith('cluster:');
    expect((await api().users.list()).map((u) => u.name)).toContain('guest');
    expect((await api().users.list()).filter((u) => isLink(u.name))).toEqual([]);
    expect((await api().permissions.list()).map((p) => p.user)).toContain('guest');
    expect((await api().permissions.list()).filter((p) => isLink(p.user))).toEqual([]);

    const users = (await management('/api/users')) as { name: string }[];
    expect(users.map((u) => u.name)).toContain('guest');
    expect(users.filter((u) => isLink(u.name))).toEqual([]);
    const permissions = (await management('/api/permissions')) as { user: string }[];
    expect(permissions.map((p) => p.user)).toContain('guest');
    expect(permissions.filter((p) => isLink(p.user))).toEqual([]);
    const vhostPermissions = (await management('/api/vhosts/%2F/permissions')) as { user: string }[];
    expect(vhostPermissions.filter((p) => isLink(p.user))).toEqual([]);

    for (const exported of [(await management('/api/definitions')) as Definitions, (await api().definitions.export({})) as unknown as Definitions]) {
      expect(exported.permissions.map((p) => p.user)).toContain('guest');
      expect(exported.permissions.filter((p) => isLink(p.user))).toEqual([]);
      expect(exported.users.filter((u) => isLink(u.name))).toEqual([]);
    }
  });
});

interface Definitions {
  users: { name: string }[];
  permissions: { user: string }[];
}
