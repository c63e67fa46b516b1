'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { ErrorNote } from '../../_components/error-note';
import { formatClock, formatDuration } from '../../_lib/format';
import { useTRPC } from '../../_lib/trpc';
import { useMe } from '../../_lib/use-me';

function dueText(at: number, now: number): string {
  const ms = at - now;
  return ms <= 0 ? `due now (${formatClock(at)})` : `in ${formatDuration(ms + 999)} (${formatClock(at)})`;
}

/** Exchanges holding scheduled messages, and one exchange's messages: sort, filter, cancel, deliver now, reschedule. */
export function ScheduledView() {
  const trpc = useTRPC();
  const me = useMe();
  const queryClient = useQueryClient();
  const areas = useQuery({ ...trpc.scheduled.areas.queryOptions({}), refetchInterval: 2_000 });
  const [open, setOpen] = useState<{ vhost: string; exchange: string } | null>(null);
  const [dir, setDir] = useState<'asc' | 'desc'>('asc');
  const [filter, setFilter] = useState('');
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [confirming, setConfirming] = useState(false);
  const [delaySeconds, setDelaySeconds] = useState<Record<number, string>>({});
  const [notice, setNotice] = useState('');
  const list = useQuery({
    ...trpc.scheduled.list.queryOptions({
      vhost: open?.vhost ?? '/',
      exchange: open?.exchange ?? 'x',
      sort: 'due',
      dir,
      limit: 100,
      query: filter === '' ? undefined : { payload: { text: filter, regex: false, ignoreCase: true } },
    }),
    enabled: open !== null,
    refetchInterval: 2_000,
  });
  const changed = (message: string) => {
    setNotice(message);
    setSelected(new Set());
    setConfirming(false);
    void queryClient.invalidateQueries({ queryKey: trpc.scheduled.list.queryKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.scheduled.areas.queryKey() });
  };
  const cancel = useMutation(trpc.scheduled.cancel.mutationOptions({ onSuccess: (r) => changed(`Cancelled ${r.cancelled} message(s).`) }));
  const deliverNow = useMutation(trpc.scheduled.deliverNow.mutationOptions({ onSuccess: (r) => changed(`Delivered ${r.delivered} message(s) now.`) }));
  const reschedule = useMutation(trpc.scheduled.reschedule.mutationOptions({ onSuccess: () => changed('Rescheduled.') }));
  const changes = open !== null && me.canChange(open.vhost);
  const now = Date.now();
  const toggle = (seq: number) =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (next.has(seq)) next.delete(seq);
      else next.add(seq);
      return next;
    });

  return (
    <>
      <ErrorNote errors={[areas.error, list.error, cancel.error, deliverNow.error, reschedule.error]} />
      {notice && (
        <p role="status" className="notice">
          {notice}
        </p>
      )}
      <table aria-label="Exchanges with scheduled messages">
        <thead>
          <tr>
            <th>Exchange</th>
            <th>Vhost</th>
            <th>Type</th>
            <th className="num">Scheduled</th>
            <th>Next due</th>
          </tr>
        </thead>
        <tbody>
          {areas.data?.length === 0 && (
            <tr>
              <td colSpan={5} className="muted">
                No exchange has scheduled messages.
              </td>
            </tr>
          )}
          {areas.data?.map((a) => (
            <tr key={`${a.vhost}\n${a.exchange}`}>
              <td>
                <button type="button" className="link" onClick={() => (setOpen({ vhost: a.vhost, exchange: a.exchange }), setSelected(new Set()))}>
                  {a.exchange}
                </button>
              </td>
              <td>{a.vhost}</td>
              <td>{a.exchangeType}</td>
              <td className="num">{a.count.toLocaleString()}</td>
              <td>{a.nextDueAt === null ? '—' : dueText(a.nextDueAt, now)}</td>
            </tr>
          ))}
        </tbody>
      </table>

      {open && (
        <div className="card">
          <h2>
            Scheduled on {open.exchange} <span className="muted">(vhost {open.vhost})</span>
          </h2>
          <div className="actions">
            <label>
              Payload contains
              <input value={filter} onChange={(e) => setFilter(e.target.value)} />
            </label>
            <button type="button" onClick={() => setDir(dir === 'asc' ? 'desc' : 'asc')}>
              Due time: {dir === 'asc' ? 'soonest first' : 'latest first'}
            </button>
            {changes && (
              <>
                <button type="button" disabled={selected.size === 0} onClick={() => deliverNow.mutate({ ...open, seqs: [...selected] })}>
                  Deliver {selected.size} now
                </button>
                <button type="button" className="danger" disabled={selected.size === 0} onClick={() => setConfirming(true)}>
                  Cancel {selected.size}…
                </button>
              </>
            )}
          </div>
          <p className="muted">
            {list.data ? `${list.data.total.toLocaleString()} message(s)${list.data.total > 100 ? ', the first 100 shown' : ''}` : 'Loading…'}
          </p>
          <table aria-label="Scheduled messages">
            <thead>
              <tr>
                {changes && <th aria-label="Select" />}
                <th>Due</th>
                <th>Routing key</th>
                <th>Message id</th>
                <th className="num">Size</th>
                {changes && <th>Reschedule</th>}
              </tr>
            </thead>
            <tbody>
              {list.data?.messages.map((m) => (
                <tr key={m.seq}>
                  {changes && (
                    <td>
                      <input type="checkbox" aria-label={`Select message ${m.seq}`} checked={selected.has(m.seq)} onChange={() => toggle(m.seq)} />
                    </td>
                  )}
                  <td>{dueText(m.dueAt, now)}</td>
                  <td>{m.routingKey}</td>
                  <td>{typeof m.properties.messageId === 'string' ? m.properties.messageId : '—'}</td>
                  <td className="num">{m.sizeBytes.toLocaleString()} B</td>
                  {changes && (
                    <td>
                      <input
                        aria-label={`Seconds from now for message ${m.seq}`}
                        style={{ width: 80 }}
                        value={delaySeconds[m.seq] ?? ''}
                        onChange={(e) => setDelaySeconds({ ...delaySeconds, [m.seq]: e.target.value })}
                        placeholder="seconds"
                      />
                      <button
                        type="button"
                        disabled={!(Number(delaySeconds[m.seq]) >= 0) || (delaySeconds[m.seq] ?? '') === ''}
                        onClick={() => reschedule.mutate({ ...open, seq: m.seq, dueAt: Date.now() + Number(delaySeconds[m.seq]) * 1000 })}
                      >
                        Set
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
          <ConfirmDialog
            open={confirming}
            title={`Cancel ${selected.size} scheduled message(s)?`}
            confirmLabel={`Cancel ${selected.size} message(s)`}
            busy={cancel.isPending}
            onCancel={() => setConfirming(false)}
            onConfirm={() => cancel.mutate({ ...open, seqs: [...selected] })}
          >
            <p>They are dropped for good and never delivered.</p>
          </ConfirmDialog>
        </div>
      )}
    </>
  );
}
