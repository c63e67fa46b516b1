/** The columns the queue table can sort by on the server (shared with the console, which imports no server code). */
export const QUEUE_SORT_COLUMNS = ['vhost', 'name', 'type', 'ready', 'unacked', 'total', 'bytes', 'consumers', 'incoming', 'deliver', 'ack'] as const;
export type QueueSortColumn = (typeof QUEUE_SORT_COLUMNS)[number];
