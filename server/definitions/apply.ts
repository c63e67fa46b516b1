/**
 * Makes the planned changes, in CHANGE_ORDER, yielding to the event loop
 * between slices. The rehearsal has checked them against the engine, but
 * the world may move meanwhile (a client declares a queue of the same name,
 * the database refuses a write): then everything this import made so far is
 * undone, newest first, and the error says where it stopped.
 */
import { CHANGE_ORDER, type Change } from './changes';
import type { DefinitionsServices } from './current-state';
import { perform } from './rehearse';

/**
 * Changes made between two pauses. Each pause also waits until the store has
 * written the slice: its writes then come in small batches too, instead of
 * one backlog that would hold up the event loop (and AMQP) while it drains.
 */
const SLICE = 50;

export class ImportStopped extends Error {}

export async function applyChanges(services: DefinitionsServices, changes: Change[], describe: (change: Change) => string): Promise<void> {
  const ordered = [...changes].sort((a, b) => CHANGE_ORDER.indexOf(a.type) - CHANGE_ORDER.indexOf(b.type));
  const undo: (() => Promise<void> | void)[] = [];
  let vhostsStored = false;
  try {
    for (const [index, change] of ordered.entries()) {
      if (change.type !== 'vhost' && !vhostsStored) {
        await services.broker.stored(); // a permission refers to the vhost's row
        vhostsStored = true;
      }
      try {
        undo.push(await make(services, change));
      } catch (error) {
        throw new ImportStopped(
          `stopped at ${describe(change)}: ${error instanceof Error ? error.message : String(error)}; everything the import had made was undone, nothing is changed`,
        );
      }
      if ((index + 1) % SLICE === 0) {
        await services.broker.stored();
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    await services.broker.stored();
  } catch (error) {
    for (const step of undo.reverse()) {
      try {
        await step();
      } catch {
        // keep undoing the rest
      }
    }
    throw error;
  }
}

/** Makes one change and returns how to take it back. */
async function make({ broker, users }: DefinitionsServices, change: Change): Promise<() => Promise<void> | void> {
  switch (change.type) {
    case 'user':
      await users.create(change.name, change.secret, change.tags);
      return () => users.delete(change.name);
    case 'permission':
      await users.setPermission(change.user, change.vhost, change.patterns);
      return () => users.clearPermission(change.user, change.vhost);
    case 'topic permission':
      await users.topicPermissions.set(change.entry);
      return () => users.topicPermissions.clear(change.entry.user, change.entry.vhost, change.entry.exchange);
    default:
      perform(broker, change);
      switch (change.type) {
        case 'vhost':
          return () => broker.deleteVhost(change.name);
        case 'policy':
          return () => broker.deletePolicy(change.vhost, change.policy.name);
        case 'exchange':
          return () => broker.deleteExchange(change.vhost, change.name);
        case 'queue':
          return () => void broker.deleteQueue(change.vhost, change.name);
        case 'binding':
          return () =>
            change.destinationType === 'queue'
              ? broker.unbindQueue(change.vhost, change.destination, change.source, change.routingKey, change.arguments)
              : broker.unbindExchange(change.vhost, change.destination, change.source, change.routingKey, change.arguments);
      }
  }
}
