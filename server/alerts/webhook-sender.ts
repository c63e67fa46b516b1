/**
 * Sends alert notifications to webhooks, in the background: a bounded queue
 * of deliveries, a few in flight at once, each attempt cut off after a
 * timeout and retried with exponential back-off (1x, 2x, 4x the base delay)
 * on a network error, a timeout, a 429 or a 5xx. A webhook that never answers
 * costs an open socket until the timeout, and nothing else: nobody waits for
 * a delivery, and a full queue refuses new ones (counted and logged) rather
 * than grow.
 *
 * Each request is a POST of JSON with `X-Warren-Signature: sha256=<hex>`, the
 * HMAC-SHA256 of the raw body under the webhook's secret, so that the
 * receiver can check it came from this broker.
 */
import { createHmac, randomUUID } from 'node:crypto';

export interface WebhookTarget {
  id: number;
  url: string;
  secret: string;
}

export interface WebhookSenderOptions {
  timeoutMs: number;
  /** Attempts after the first. */
  retries: number;
  /** Deliveries waiting, retrying or in flight, at most. */
  maxQueued: number;
  /** Delay before the first retry; each next one doubles it. */
  backoffMs?: number;
  concurrency?: number;
  log?: (line: string) => void;
}

export interface DeliveryResult {
  at: number;
  ok: boolean;
  attempts: number;
  /** HTTP status of the last attempt, or the error that ended it. */
  status?: number;
  error?: string;
}

interface Delivery {
  id: string;
  target: WebhookTarget;
  event: string;
  body: string;
  attempt: number;
}

export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export class WebhookSender {
  private readonly ready: Delivery[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly aborts = new Set<AbortController>();
  private inFlight = 0;
  private closed = false;
  /** The last outcome per webhook id, for the console. */
  readonly lastResults = new Map<number, DeliveryResult>();
  readonly counts = { delivered: 0, failed: 0, refused: 0 };

  constructor(private readonly options: WebhookSenderOptions) {}

  /** Deliveries not finished yet: waiting, waiting to retry, or in flight. */
  get pending(): number {
    return this.ready.length + this.timers.size + this.inFlight;
  }

  /** Queues one notification; false when the queue is full (the notification is dropped). */
  send(target: WebhookTarget, event: string, body: string): boolean {
    if (this.closed) return false;
    if (this.pending >= this.options.maxQueued) {
      this.counts.refused++;
      this.options.log?.(`webhook ${target.url}: ${this.pending} notifications pending, dropped ${event}`);
      return false;
    }
    this.ready.push({ id: randomUUID(), target, event, body, attempt: 0 });
    this.pump();
    return true;
  }

  /** Drops what is waiting and cuts what is in flight. */
  close(): void {
    this.closed = true;
    this.ready.length = 0;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const a of this.aborts) a.abort();
  }

  private pump(): void {
    const concurrency = this.options.concurrency ?? 4;
    while (this.inFlight < concurrency && this.ready.length > 0) {
      const d = this.ready.shift()!; // length checked
      this.inFlight++;
      void this.attempt(d).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async attempt(d: Delivery): Promise<void> {
    const abort = new AbortController();
    this.aborts.add(abort);
    const timer = setTimeout(() => abort.abort(new Error(`no answer within ${this.options.timeoutMs} ms`)), this.options.timeoutMs);
    let status: number | undefined;
    let error: string | undefined;
    try {
      const res = await fetch(d.target.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Warren',
          'x-warren-event': d.event,
          'x-warren-delivery': d.id,
          'x-warren-signature': signature(d.target.secret, d.body),
        },
        body: d.body,
        redirect: 'manual',
        signal: abort.signal,
      });
      status = res.status;
      await res.body?.cancel().catch(() => {});
    } catch (e) {
      error = abort.signal.aborted && abort.signal.reason instanceof Error ? abort.signal.reason.message : (e as Error).message;
    } finally {
      clearTimeout(timer);
      this.aborts.delete(abort);
    }
    if (this.closed) return;
    const ok = status !== undefined && status >= 200 && status < 300;
    const retryable = !ok && (status === undefined || status === 429 || status >= 500);
    const result = { at: Date.now(), ok, attempts: d.attempt + 1, status, error };
    if (retryable && d.attempt < this.options.retries) {
      const delay = (this.options.backoffMs ?? 1000) * 2 ** d.attempt;
      const t = setTimeout(() => {
        this.timers.delete(t);
        this.ready.push({ ...d, attempt: d.attempt + 1 });
        this.pump();
      }, delay);
      t.unref();
      this.timers.add(t);
      this.lastResults.set(d.target.id, result);
      return;
    }
    this.lastResults.set(d.target.id, result);
    if (ok) this.counts.delivered++;
    else {
      this.counts.failed++;
      this.options.log?.(`webhook ${d.target.url}: ${d.event} not delivered after ${d.attempt + 1} attempt(s): ${error ?? `HTTP ${status}`}`);
    }
  }
}
