/**
 * The fields of RabbitMQ 3.10's management API answers that Warren leaves
 * out on purpose, and why (README, "Management HTTP API"). A field is kept
 * out when any part of its path is listed here, "_details" (its rate)
 * included with the counter: `message_stats.get_details.rate` goes with `get`.
 * Everything else RabbitMQ answers, Warren answers with the same name.
 */
const ERLANG = 'an Erlang VM, Mnesia or RabbitMQ storage internal that Warren does not have';
const NOT_COUNTED = 'Warren does not keep this counter or rate';
const AMQP_LAYER = 'negotiated on the AMQP connection, which the engine facade the API reads does not carry';
const RABBIT_FILES = "RabbitMQ's own files and plugins";

const KEPT: { field: string; reason: string; only?: RegExp }[] = [
  ...[
    'garbage_collection',
    'reductions',
    'backing_queue_status',
    'recoverable_slaves',
    'pending_raft_commands',
    'erlang_version',
    'erlang_full_version',
    'applications',
    'run_queue',
    'proc_used',
    'proc_total',
    'gc_num',
    'gc_bytes_reclaimed',
    'context_switches',
    'io_read_count',
    'io_read_bytes',
    'io_read_avg_time',
    'io_write_count',
    'io_write_bytes',
    'io_write_avg_time',
    'io_sync_count',
    'io_sync_avg_time',
    'io_seek_count',
    'io_seek_avg_time',
    'io_reopen_count',
    'mnesia_ram_tx_count',
    'mnesia_disk_tx_count',
    'msg_store_read_count',
    'msg_store_write_count',
    'queue_index_read_count',
    'queue_index_write_count',
    'ra_open_file_metrics',
    'metrics_gc_queue_length',
    'net_ticktime',
    'socket_opts',
    'cowboy_opts',
    'ssl_opts',
    'memory',
    'messages_ram',
    'messages_ready_ram',
    'messages_unacknowledged_ram',
    'message_bytes_ram',
    'messages_paged_out',
    'message_bytes_paged_out',
    'fd_used',
    'fd_total',
    'sockets_used',
    'sockets_total',
  ].map((field) => ({ field, reason: ERLANG })),
  ...[
    'auth_mechanism',
    'channel_max',
    'frame_max',
    'timeout',
    'recv_cnt',
    'send_cnt',
    'send_pend',
    'ssl',
    'ssl_protocol',
    'ssl_key_exchange',
    'ssl_cipher',
    'ssl_hash',
    'peer_cert_issuer',
    'peer_cert_subject',
    'peer_cert_validity',
    'peer_port',
    'transactional',
    'acks_uncommitted',
    'messages_uncommitted',
    'messages_unconfirmed',
    'global_prefetch_count',
  ].map((field) => ({ field, reason: AMQP_LAYER })),
  { field: 'confirm', reason: AMQP_LAYER, only: /channels/ },
  ...['log_files', 'config_files', 'db_dir', 'enabled_plugins', 'release_series_support_status'].map((field) => ({ field, reason: RABBIT_FILES })),
  { field: 'disk_free', reason: 'the disk figures stay with the disk alarm; disk_free_alarm says when it is raised' },
  { field: 'disk_free_limit', reason: 'the disk figures stay with the disk alarm; disk_free_alarm says when it is raised' },
  ...['confirm', 'get', 'get_no_ack', 'get_empty', 'deliver', 'deliver_no_ack'].map((field) => ({
    field,
    reason: `${NOT_COUNTED}: deliveries and gets are counted together, as deliver_get`,
  })),
  ...['disk_reads', 'disk_writes', 'churn_rates', 'messages_persistent', 'message_bytes_persistent', 'head_message_timestamp', 'idle_since'].map((field) => ({
    field,
    reason: NOT_COUNTED,
  })),
  ...['connection_created', 'connection_closed', 'channel_created', 'channel_closed', 'queue_declared', 'queue_created', 'queue_deleted'].map((field) => ({
    field,
    reason: `${NOT_COUNTED}: connections, channels and queues made and closed are not counted (churn)`,
  })),
  { field: 'mem_used_details', reason: `${NOT_COUNTED}: memory is given as it is now, without a rate` },
  { field: 'redeliver_details', reason: `${NOT_COUNTED}: redeliveries are counted, without a rate` },
  { field: 'drop_unroutable_details', reason: `${NOT_COUNTED}: unroutable messages are counted, without a rate` },
  { field: 'messages_ready_details', reason: `${NOT_COUNTED}: per queue and vhost only the total depth (messages_details) is sampled` },
  { field: 'messages_unacknowledged_details', reason: `${NOT_COUNTED}: per queue and vhost only the total depth (messages_details) is sampled` },
  { field: 'messages_details', reason: `${NOT_COUNTED} per vhost`, only: /^GET \/vhosts/ },
  { field: 'return_unroutable', reason: `${NOT_COUNTED} per vhost (the overview has it)`, only: /^GET \/vhosts/ },
  { field: 'drop_unroutable', reason: `${NOT_COUNTED} per vhost (the overview has it)`, only: /^GET \/vhosts/ },
  { field: 'message_bytes', reason: `${NOT_COUNTED}: the bytes of unacknowledged messages are not summed (message_bytes_ready is)` },
  { field: 'message_bytes_unacknowledged', reason: `${NOT_COUNTED}: the bytes of unacknowledged messages are not summed (message_bytes_ready is)` },
  { field: 'message_stats', reason: `${NOT_COUNTED} per channel (per queue, exchange and connection it does)`, only: /channels/ },
  { field: 'user_who_performed_action', reason: 'Warren records who did what in its audit trail, not on each object' },
  { field: 'password_hash', reason: 'Warren does not hand out password hashes over the API' },
];

/** Why `field` (a dotted path, arrays as []) of the answer to `request` is left out, or null when it should be there. */
export function keptDifference(request: string, field: string): string | null {
  for (const segment of field.split('.')) {
    const name = segment.replace(/^\[\]|\[\]$/g, '');
    for (const k of KEPT) {
      if (k.only && !k.only.test(request)) continue;
      if (name === k.field || name === `${k.field}_details`) return k.reason;
    }
  }
  return null;
}
