// What a message's journey is made of: one event per step, in the order the
// engine took them. The engine only emits them, through a JourneyRecorder;
// keeping, trimming and searching them is done outside it (server/journey/).
//
// `id` is the broker id of the message the step happened to. The engine
// makes new messages out of old ones (a retry, a dead letter, a copy, an
// edited republish): the event that makes one names it in `id` and the one
// it came from in `from`, so a journey is every event reachable through
// those links. The first event of a message (`published`, or the first step
// seen of one that entered a traced queue later) carries `message`, the keys
// a person searches by.

export type JourneyEventKind =
  | 'published'
  | 'unroutable'
  | 'binding-matched'
  | 'enqueued'
  | 'dropped'
  | 'delivered'
  | 'acked'
  | 'nacked'
  | 'rejected'
  | 'requeued'
  | 'retry-scheduled'
  | 'retry-released'
  | 'dead-lettered'
  | 'expired'
  | 'purged'
  | 'deleted'
  | 'moved'
  | 'copied'
  | 'edited';

export type JourneyDetail = string | number | boolean | null;

/** What a message is searched by: its message id, correlation id and headers (as text). */
export interface JourneyMessageKeys {
  messageId: string | null;
  correlationId: string | null;
  headers: Record<string, string>;
}

export interface JourneyEvent {
  /** Epoch ms. */
  at: number;
  kind: JourneyEventKind;
  vhost: string;
  /** Broker id of the message. */
  id: number;
  /** Broker id of the message this one was made from. */
  from?: number;
  /** The queue it happened in, when it happened in one. */
  queue?: string;
  details: Record<string, JourneyDetail>;
  message?: JourneyMessageKeys;
}

/** Where the engine hands its journey events; called synchronously on the message path, so it must only take them. */
export interface JourneyRecorder {
  record(event: JourneyEvent): void;
}

/** Who a console operation was done by, for the steps it adds to a journey. */
export type Actor = string | undefined;
