/**
 * A node that loses its database (docs/cluster.md, Failure cases: one node
 * loses PostgreSQL). From the first failed heartbeat or commit (or a
 * heartbeat left unanswered) its publishers are blocked, by the 'database'
 * alarm beside the memory and disk ones (connection.blocked), and unblocked
 * once a heartbeat renews the lease and the writer answers again. If the
 * self-fence deadline (a renewal's send + SELF_FENCE_MS) passes while the
 * database is lost, the node can no longer be sure of its leases: it has
 * stopped dispatching already (QueueLeases.mayDeliver), and now closes every
 * client connection with 320 and refuses new ones, until a heartbeat renews
 * its lease again (after a rejoin, as a new incarnation, when it had lapsed).
 *
 * A deadline passed without a failure seen (the process was paused, and its
 * heartbeat just did not run) closes nothing: the next heartbeat tells
 * whether the lease held, and a lapsed node rejoins without its clients
 * noticing more than the queues moving.
 */
import { SELF_FENCE_MS } from './queue-leases';

/** The node's AMQP server, as far as losing the database concerns it (AmqpServerHandle). */
export interface NodeClients {
  /** Raises (reason) or clears (null) one named alarm: publishers are blocked while any is raised. */
  setAlarm(source: string, reason: string | null): void;
  /** Closes every client connection with 320 and refuses new ones with `reason`, until null. */
  refuseClients(reason: string | null): void;
}

export const DATABASE_ALARM = 'database';
/** The close and refusal text after `CONNECTION_FORCED - ` (docs/cluster.md, Failure cases). */
export const FENCED_REASON = 'node lost its database, reconnect to another node';

/** What the node says of its database when it lost it (the Nodes page). */
export interface DatabaseLoss {
  /** The failure seen, e.g. the connection error. */
  cause: string;
  /** The self-fence deadline passed: clients are closed and refused. */
  fenced: boolean;
}

export class DatabaseWatch {
  private clients: NodeClients | null = null;
  private cause: string | null = null;
  private fenced = false;
  /** performance.now() of the self-fence deadline; none before the first renewal. */
  private deadline = Number.POSITIVE_INFINITY;
  private deadlineTimer: NodeJS.Timeout | null = null;

  constructor(private readonly log: (line: string) => void) {}

  /** The AMQP server, once it listens: told the state at once. */
  attach(clients: NodeClients): void {
    this.clients = clients;
    if (this.cause !== null) clients.setAlarm(DATABASE_ALARM, blockedReason(this.cause));
    if (this.fenced) clients.refuseClients(FENCED_REASON);
  }

  /** Null while the database answers. */
  get loss(): DatabaseLoss | null {
    return this.cause === null ? null : { cause: this.cause, fenced: this.fenced };
  }

  /** Whether publishers are blocked for want of the database. */
  get lost(): boolean {
    return this.cause !== null;
  }

  /** A heartbeat sent at `sentAt` (performance.now()) renewed the node's lease: the deadline moves, a fenced node serves clients again. */
  renewed(sentAt: number): void {
    this.deadline = sentAt + SELF_FENCE_MS;
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = setTimeout(() => this.deadlinePassed(), Math.max(0, this.deadline - performance.now()));
    if (!this.fenced) return;
    this.fenced = false;
    this.log('the lease is renewed again: client connections are admitted again');
    this.clients?.refuseClients(null);
  }

  /** A heartbeat or a commit failed, or a heartbeat went unanswered: publishers are blocked; past the deadline the node fences itself. */
  failed(cause: string): void {
    if (this.cause === null) {
      this.log(`lost the database (${cause}): publishers are blocked until it answers again`);
      this.clients?.setAlarm(DATABASE_ALARM, blockedReason(cause));
    }
    this.cause = cause;
    if (performance.now() >= this.deadline) this.fence();
  }

  /** Commits pass again (the writer answered after a renewed heartbeat): publishers are unblocked. */
  answered(): void {
    if (this.cause === null) return;
    this.cause = null;
    this.log('the database answers again: publishers are unblocked');
    this.clients?.setAlarm(DATABASE_ALARM, null);
  }

  stop(): void {
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = null;
  }

  private deadlinePassed(): void {
    this.deadlineTimer = null;
    if (this.cause !== null) this.fence();
  }

  private fence(): void {
    if (this.fenced) return;
    this.fenced = true;
    this.log(`the lease could not be renewed before the self-fence deadline (${this.cause}): closing client connections and refusing new ones until it is`);
    this.clients?.refuseClients(FENCED_REASON);
  }
}

/** The connection.blocked reason. */
function blockedReason(cause: string): string {
  return `node lost its database (${cause}); publishing resumes when it is back`;
}
