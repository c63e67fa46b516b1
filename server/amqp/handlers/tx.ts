import { BrokerError } from '../../broker/errors';
import { writeTxCommitOk, writeTxRollbackOk, writeTxSelectOk, type AmqpMethod } from '../codec/generated/spec';
import { commandInvalid, type AmqpChannel } from '../channel';

/**
 * tx.select / commit / rollback. In tx mode publishes and acknowledgements
 * are held on the channel (ch.txActions) and applied in order at commit,
 * or dropped at rollback. tx.commit-ok goes out once what the transaction
 * published is on disk, as with a publisher confirm: the client may count
 * on committed persistent messages surviving a crash. The connection's
 * input waits meanwhile (holdInputUntil), so replies keep their order.
 * When a queue refused one of the publishes (x-overflow reject-publish),
 * the commit fails as RabbitMQ's does: the channel closes with 406
 * "partial tx completion" (what was accepted stays).
 */
export function txMethod(ch: AmqpChannel, m: AmqpMethod): void {
  switch (m.name) {
    case 'tx.select':
      if (ch.confirms) throw new BrokerError('PRECONDITION_FAILED', 'cannot switch from confirm to tx mode');
      ch.txActions ??= [];
      ch.engine.transactional = true;
      return ch.send(writeTxSelectOk, {});
    case 'tx.commit': {
      const actions = transactional(ch);
      ch.txActions = [];
      return ch.conn.holdInputUntil((resume) => {
        const commit = new CommitWait((complete) => {
          if (!ch.closing) {
            if (complete) ch.send(writeTxCommitOk, {});
            else ch.closeWithError(406, 'PRECONDITION_FAILED - partial tx completion');
          }
          resume();
        });
        ch.txCommit = commit;
        try {
          for (const action of actions) action();
        } catch (err) {
          resume(); // the channel closes with the error; the connection reads on
          throw err;
        } finally {
          ch.txCommit = undefined;
        }
        commit.release();
      });
    }
    case 'tx.rollback':
      transactional(ch);
      ch.txActions = [];
      return ch.send(writeTxRollbackOk, {});
  }
  throw commandInvalid(m.name);
}

/**
 * Counts the commit's publishes still waiting for the disk; calls `done` when
 * none is left and the commit itself is released, saying whether every
 * publish was accepted.
 */
export class CommitWait {
  private pending = 1;
  private complete = true;

  constructor(private readonly done: (complete: boolean) => void) {}

  /** One more publish to wait for: returns what its confirm calls (false: a queue refused it). */
  add(): (ack: boolean) => void {
    this.pending++;
    return (ack) => {
      if (!ack) this.complete = false;
      this.release();
    };
  }

  release(): void {
    if (--this.pending === 0) this.done(this.complete);
  }
}

function transactional(ch: AmqpChannel): (() => void)[] {
  if (!ch.txActions) throw new BrokerError('PRECONDITION_FAILED', 'channel is not transactional');
  return ch.txActions;
}

/** Runs `action` now, or at commit when the channel is transactional. */
export function inTransaction(ch: AmqpChannel, action: () => void): void {
  if (ch.txActions) ch.txActions.push(action);
  else action();
}
