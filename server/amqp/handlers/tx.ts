import { BrokerError } from '../../broker/errors';
import { writeTxCommitOk, writeTxRollbackOk, writeTxSelectOk, type AmqpMethod } from '../codec/generated/spec';
import { commandInvalid, type AmqpChannel } from '../channel';

/**
 * tx.select / commit / rollback. In tx mode publishes and acknowledgements
 * are held on the channel (ch.txActions) and applied in order at commit,
 * or dropped at rollback.
 */
export function txMethod(ch: AmqpChannel, m: AmqpMethod): void {
  switch (m.name) {
    case 'tx.select':
      if (ch.confirms) throw new BrokerError('PRECONDITION_FAILED', 'cannot switch from confirm to tx mode');
      ch.txActions ??= [];
      return ch.send(writeTxSelectOk, {});
    case 'tx.commit': {
      const actions = transactional(ch);
      ch.txActions = [];
      for (const action of actions) action();
      return ch.send(writeTxCommitOk, {});
    }
    case 'tx.rollback':
      transactional(ch);
      ch.txActions = [];
      return ch.send(writeTxRollbackOk, {});
  }
  throw commandInvalid(m.name);
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
