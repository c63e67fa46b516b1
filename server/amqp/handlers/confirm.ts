import { BrokerError } from '../../broker/errors';
import { writeConfirmSelectOk, type AmqpMethod } from '../codec/generated/spec';
import { commandInvalid, type AmqpChannel } from '../channel';
import { ConfirmTracker } from '../confirms';

/** confirm.select: from now on every publish on the channel is acked or nacked. */
export function confirmMethod(ch: AmqpChannel, m: AmqpMethod): void {
  if (m.name !== 'confirm.select') throw commandInvalid(m.name);
  if (ch.txActions) throw new BrokerError('PRECONDITION_FAILED', 'cannot switch from tx to confirm mode');
  ch.confirms ??= new ConfirmTracker();
  ch.engine.confirm = true;
  if (!m.args.nowait) ch.send(writeConfirmSelectOk, {});
}
