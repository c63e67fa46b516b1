/**
 * Alert rules, their webhooks and what fired, kept in the metadata database,
 * and the evaluation: every few seconds each enabled rule looks at the
 * queues (or stream groups) of its vhost whose names match its pattern, as
 * the broker sampler last saw them. A condition that holds for the rule's
 * `for` duration fires: it is recorded (AlertEvent), shown while it lasts and
 * sent to the rule's webhook; when it stops holding (or the object is gone)
 * the recovery is recorded and sent too.
 *
 * Evaluation reads memory only; database writes and webhook deliveries run
 * behind it and are never waited for, so neither a slow database nor a
 * webhook that hangs holds up the evaluation or the broker.
 */
import type { Broker } from '../broker/broker';
import { compileUserPattern, type UserPattern } from '../broker/patterns/user-pattern';
import type { BrokerSampler } from '../metrics/broker-sampler';
import type { MetadataClient } from '../store/db';
import { CONDITION_INFO, breached, describeBreach, describeValue, type Condition } from './conditions';
import type { WebhookSender } from './webhook-sender';

export interface AlertRuleRow {
  id: number;
  name: string;
  vhost: string;
  pattern: string;
  condition: string;
  threshold: number;
  forSeconds: number;
  webhookId: number | null;
  slackWebhookId: number | null;
  enabled: boolean;
  createdAt: Date;
}

export interface WebhookRow {
  id: number;
  name: string;
  url: string;
  secret: string;
  format: string;
}

interface LoadedRule extends AlertRuleRow {
  condition: Condition;
  compiled: UserPattern;
  /** Pattern results per name, so that 10,000 queues are matched once, not at every evaluation. */
  matches: Map<string, boolean>;
}

/** One object a rule watches: a queue, or a group of a stream. */
interface Watched {
  kind: 'queue' | 'group';
  vhost: string;
  /** Queue name, or "<stream>/<group>". */
  object: string;
  value: number;
}

interface State {
  since: number;
  firing?: { eventId: Promise<number>; firedAt: number; value: number };
  watched: Watched;
}

export interface FiringAlert {
  ruleId: number;
  ruleName: string;
  condition: Condition;
  threshold: number;
  vhost: string;
  objectKind: 'queue' | 'group';
  object: string;
  /** The value now. */
  value: number;
  firedAt: number;
  summary: string;
}

export interface AlertsOptions {
  intervalMs: number;
  nodeName: string;
  log?: (line: string) => void;
}

/** Published counters seen at the previous evaluation, for the rates over the interval. */
interface Counter {
  published: number;
  at: number;
}

export class Alerts {
  private rules: LoadedRule[] = [];
  private webhooks = new Map<number, WebhookRow>();
  private readonly states = new Map<string, State>();
  private readonly counters = new Map<string, Counter>();
  private timer: NodeJS.Timeout | undefined;
  /** Database writes of fired and recovered alerts, in order. */
  private recording: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly broker: Broker,
    private readonly sampler: BrokerSampler,
    private readonly prisma: MetadataClient,
    readonly sender: WebhookSender,
    private readonly options: AlertsOptions,
  ) {}

  /** Loads the rules, webhooks and the alerts still firing when Warren stopped, then evaluates every interval. */
  async start(): Promise<void> {
    await this.reload();
    for (const e of await this.prisma.alertEvent.findMany({ where: { recoveredAt: null } })) {
      const watched: Watched = { kind: e.objectKind as Watched['kind'], vhost: e.vhost, object: e.object, value: e.value };
      this.states.set(stateKey(e.ruleId, watched), {
        since: e.firedAt.getTime(),
        watched,
        firing: { eventId: Promise.resolve(e.id), firedAt: e.firedAt.getTime(), value: e.value },
      });
    }
    this.timer ??= setInterval(() => this.evaluate(), this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.sender.close();
    await this.recording;
  }

  /** Waits for the records of fired and recovered alerts so far. */
  recorded(): Promise<unknown> {
    return this.recording;
  }

  /** Reads the rules and webhooks again (after a change from the console). */
  async reload(): Promise<void> {
    const [rules, hooks] = await Promise.all([this.prisma.alertRule.findMany({ orderBy: { id: 'asc' } }), this.prisma.alertWebhook.findMany()]);
    this.rules = rules.map((r) => ({ ...r, condition: r.condition as Condition, compiled: compileUserPattern(r.pattern, 'rule pattern'), matches: new Map() }));
    this.webhooks = new Map(hooks.map((h) => [h.id, h]));
    const ids = new Set(this.rules.filter((r) => r.enabled).map((r) => r.id));
    // A rule deleted or disabled stops firing: its open alerts are closed as recovered.
    for (const [key, state] of this.states) {
      const ruleId = Number(key.slice(0, key.indexOf('\u0000')));
      if (!ids.has(ruleId)) {
        if (state.firing) this.recover(ruleId, state, Date.now(), null);
        this.states.delete(key);
      }
    }
  }

  /** Alerts firing now, oldest first. */
  firing(): FiringAlert[] {
    const byId = new Map(this.rules.map((r) => [r.id, r]));
    const out: FiringAlert[] = [];
    for (const [key, s] of this.states) {
      if (!s.firing) continue;
      const rule = byId.get(Number(key.slice(0, key.indexOf('\u0000'))));
      if (!rule) continue;
      out.push({
        ruleId: rule.id,
        ruleName: rule.name,
        condition: rule.condition,
        threshold: rule.threshold,
        vhost: s.watched.vhost,
        objectKind: s.watched.kind,
        object: s.watched.object,
        value: s.watched.value,
        firedAt: s.firing.firedAt,
        summary: summary(rule, s.watched),
      });
    }
    return out.sort((a, b) => a.firedAt - b.firedAt);
  }

  /** One evaluation of every enabled rule; the timer calls it, tests may too. */
  evaluate(now = Date.now()): void {
    const queues = this.sampler.lastQueues;
    const rates = this.publishRates(now);
    const groups = this.rules.some((r) => r.enabled && CONDITION_INFO[r.condition].on === 'group') ? this.groupLags() : [];
    const seen = new Set<string>();
    for (const rule of this.rules) {
      if (!rule.enabled) continue;
      const info = CONDITION_INFO[rule.condition];
      const candidates: Watched[] = [];
      if (info.on === 'queue') {
        for (const q of queues) {
          if (q.vhost !== rule.vhost || !matches(rule, q.name)) continue;
          const rate = rates.get(`${q.vhost}\u0000${q.name}`);
          let value: number;
          if (rule.condition === 'depth_above') value = q.ready + q.unacked;
          else if (rule.condition === 'oldest_age_above') value = (this.sampler.headAgeMs(q.vhost, q.name, now) ?? 0) / 1000;
          else if (rule.condition === 'consumers_below') value = q.consumers;
          else if (rate === undefined)
            continue; // rates need two evaluations
          else if (rule.condition === 'publish_stopped' && q.counters.published === 0)
            continue; // never published to: not stopped
          else value = rate;
          candidates.push({ kind: 'queue', vhost: q.vhost, object: q.name, value });
        }
      } else {
        for (const g of groups) {
          if (g.vhost !== rule.vhost || !matches(rule, g.stream)) continue;
          const value = rule.condition === 'group_lag_messages_above' ? g.lag.messages : g.lag.ms / 1000;
          candidates.push({ kind: 'group', vhost: g.vhost, object: `${g.stream}/${g.group}`, value });
        }
      }
      for (const w of candidates) {
        const key = stateKey(rule.id, w);
        seen.add(key);
        const on = breached(rule.condition, w.value, rule.threshold);
        let state = this.states.get(key);
        if (!on) {
          if (state?.firing) this.recover(rule.id, { ...state, watched: w }, now, w.value);
          this.states.delete(key);
          continue;
        }
        if (!state) {
          state = { since: now, watched: w };
          this.states.set(key, state);
        }
        state.watched = w;
        if (!state.firing && now - state.since >= rule.forSeconds * 1000) this.fire(rule, state, now);
      }
    }
    // Objects gone (a queue deleted, a group reset away): their alerts recover.
    for (const [key, state] of this.states) {
      if (seen.has(key)) continue;
      const ruleId = Number(key.slice(0, key.indexOf('\u0000')));
      if (this.rules.some((r) => r.id === ruleId && r.enabled) && state.firing) this.recover(ruleId, state, now, null);
      this.states.delete(key);
    }
  }

  /** Messages per second published to each queue since the previous evaluation. */
  private publishRates(now: number): Map<string, number> {
    const out = new Map<string, number>();
    const seen = new Set<string>();
    for (const q of this.sampler.lastQueues) {
      const key = `${q.vhost}\u0000${q.name}`;
      seen.add(key);
      const last = this.counters.get(key);
      if (last && now > last.at) out.set(key, Math.max(0, q.counters.published - last.published) / ((now - last.at) / 1000));
      this.counters.set(key, { published: q.counters.published, at: now });
    }
    for (const key of this.counters.keys()) if (!seen.has(key)) this.counters.delete(key);
    return out;
  }

  private groupLags() {
    return this.broker.streams
      .list()
      .flatMap((s) => this.broker.streams.groups(s.vhost, s.name).map((g) => ({ vhost: s.vhost, stream: s.name, group: g.name, lag: g.lag })));
  }

  private fire(rule: LoadedRule, state: State, now: number): void {
    const w = state.watched;
    const eventId = this.record(() =>
      this.prisma.alertEvent
        .create({
          data: {
            ruleId: rule.id,
            ruleName: rule.name,
            vhost: w.vhost,
            object: w.object,
            objectKind: w.kind,
            condition: rule.condition,
            threshold: rule.threshold,
            value: w.value,
            firedAt: new Date(now),
          },
        })
        .then((e) => e.id),
    );
    state.firing = { eventId, firedAt: now, value: w.value };
    this.notify(rule, 'alert.fired', w, now, null);
  }

  private recover(ruleId: number, state: State, now: number, value: number | null): void {
    const firing = state.firing!;
    this.record(async () => {
      const id = await firing.eventId;
      await this.prisma.alertEvent.update({ where: { id }, data: { recoveredAt: new Date(now) } });
    });
    const rule = this.rules.find((r) => r.id === ruleId);
    if (rule) this.notify(rule, 'alert.recovered', { ...state.watched, value: value ?? state.watched.value }, firing.firedAt, now, value === null);
  }

  /** Chains a database write behind the others; a failure is logged, never thrown at the evaluation. */
  private record<T>(write: () => Promise<T>): Promise<T> {
    const done = this.recording.then(write);
    this.recording = done.catch((error: Error) => this.options.log?.(`alerts: could not record: ${error.message}`));
    return done;
  }

  private notify(rule: LoadedRule, event: 'alert.fired' | 'alert.recovered', w: Watched, firedAt: number, recoveredAt: number | null, gone = false): void {
    const hooks = [rule.webhookId, rule.slackWebhookId].flatMap((id) => (id === null ? [] : (this.webhooks.get(id) ?? [])));
    if (hooks.length === 0) return;
    const text = `${event === 'alert.fired' ? 'FIRING' : 'RECOVERED'} ${rule.name}: ${summary(rule, w, event === 'alert.recovered')}${gone ? ' (the object is gone)' : ''}`;
    const slack = JSON.stringify({ text: `[Warren ${this.options.nodeName}] ${text}` });
    const warren = JSON.stringify({
      event,
      broker: this.options.nodeName,
      rule: {
        id: rule.id,
        name: rule.name,
        vhost: rule.vhost,
        pattern: rule.pattern,
        condition: rule.condition,
        threshold: rule.threshold,
        forSeconds: rule.forSeconds,
      },
      object:
        w.kind === 'queue'
          ? { kind: 'queue', vhost: w.vhost, name: w.object }
          : { kind: 'group', vhost: w.vhost, stream: w.object.slice(0, w.object.lastIndexOf('/')), group: w.object.slice(w.object.lastIndexOf('/') + 1) },
      value: w.value,
      firedAt: new Date(firedAt).toISOString(),
      recoveredAt: recoveredAt === null ? null : new Date(recoveredAt).toISOString(),
      summary: text,
    });
    for (const hook of hooks) this.sender.send(hook, event, hook.format === 'slack' ? slack : warren);
  }
}

function matches(rule: LoadedRule, name: string): boolean {
  let m = rule.matches.get(name);
  if (m === undefined) {
    if (rule.matches.size > 100_000) rule.matches.clear();
    m = rule.compiled.test(name);
    rule.matches.set(name, m);
  }
  return m;
}

function stateKey(ruleId: number, w: Pick<Watched, 'kind' | 'vhost' | 'object'>): string {
  return `${ruleId}\u0000${w.kind}\u0000${w.vhost}\u0000${w.object}`;
}

function summary(rule: { condition: Condition; threshold: number }, w: Watched, recovered = false): string {
  const what =
    w.kind === 'queue'
      ? `queue '${w.object}'`
      : `group '${w.object.slice(w.object.lastIndexOf('/') + 1)}' of stream '${w.object.slice(0, w.object.lastIndexOf('/'))}'`;
  const how = recovered ? describeValue(rule.condition, w.value, rule.threshold) : describeBreach(rule.condition, w.value, rule.threshold);
  return `${what} in vhost '${w.vhost}': ${how}`;
}
