// A load generator written for speed, on Debian's librabbitmq (rabbitmq-c),
// so that the client is not what saturates first. One thread per
// connection, M channels per connection; bench/load/generator.ts starts
// several of these processes and merges what each prints.
//
//   amqp-load pub|sub --port P --prefix Q --first A --count-queues N
//             [--connections C] [--channels M] [--body BYTES] [--rate MSG_PER_S]
//             [--seconds S | --messages N] [--persistent] [--confirm WINDOW]
//             [--prefetch N]
//
// Queues are Q<A> .. Q<A+N-1>, spread over the channels round robin. The
// first 8 bytes of each body hold the send time (CLOCK_MONOTONIC, ns), which
// every process on the machine shares, so a consumer measures
// publish->deliver. A publisher stops after --seconds or --messages; a
// consumer runs until SIGTERM or SIGINT. Both print one JSON line at the end
// (counts and latency histograms in log-linear buckets, see bucket_of); a
// consumer also prints "progress <received>" every 100 ms.
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define BUCKETS 320 /* 8 sub-buckets per power of two of microseconds, up to 2^40 us */
#define MAX_CHANNELS 512

typedef struct {
  uint64_t counts[BUCKETS];
} histogram;

static struct {
  int publisher;
  int port;
  const char *prefix;
  int first, queues, connections, channels, body, prefetch, persistent, confirm_window;
  double rate, seconds;
  long messages;
} opt = {0, 5672, "q", 0, 1, 1, 1, 256, 100, 0, 0, 0, 0, 0};

static volatile sig_atomic_t stopping = 0;
/* Workers done setting up (connected, channels open, consuming), or failed doing so. */
static int workers_set_up = 0;

static void set_up(void) { __atomic_add_fetch(&workers_set_up, 1, __ATOMIC_SEQ_CST); }

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

/* Log-linear bucket of a latency: 8 buckets per power of two (about 9% wide). */
static int bucket_of(uint64_t ns) {
  uint64_t us = ns / 1000;
  if (us < 8) return (int)us;
  int exp = 63 - __builtin_clzll(us);
  int idx = (exp - 2) * 8 + (int)((us >> (exp - 3)) & 7);
  return idx >= BUCKETS ? BUCKETS - 1 : idx;
}

typedef struct {
  int index;
  amqp_connection_state_t conn;
  histogram latency;  /* sub: publish->deliver; pub: publish->confirm */
  uint64_t done;      /* sub: received; pub: published */
  uint64_t confirmed; /* pub: acks and nacks */
  uint64_t nacked;    /* pub: of those, nacks */
  uint64_t first_ns, last_ns;
  char error[256];
} worker;

static void fail(worker *w, const char *what, amqp_rpc_reply_t r) {
  if (w->error[0]) return;
  if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION)
    snprintf(w->error, sizeof w->error, "%s: %s", what, amqp_error_string2(r.library_error));
  else if (r.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION && r.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
    amqp_channel_close_t *c = r.reply.decoded;
    snprintf(w->error, sizeof w->error, "%s: channel closed %d %.*s", what, c->reply_code, (int)c->reply_text.len, (char *)c->reply_text.bytes);
  } else if (r.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION && r.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
    amqp_connection_close_t *c = r.reply.decoded;
    snprintf(w->error, sizeof w->error, "%s: connection closed %d %.*s", what, c->reply_code, (int)c->reply_text.len, (char *)c->reply_text.bytes);
  } else
    snprintf(w->error, sizeof w->error, "%s failed", what);
}

static int open_connection(worker *w) {
  w->conn = amqp_new_connection();
  amqp_socket_t *s = amqp_tcp_socket_new(w->conn);
  if (!s || amqp_socket_open(s, "127.0.0.1", opt.port) != AMQP_STATUS_OK) {
    snprintf(w->error, sizeof w->error, "cannot connect to 127.0.0.1:%d", opt.port);
    return -1;
  }
  amqp_rpc_reply_t r = amqp_login(w->conn, "/", MAX_CHANNELS, 131072, 0, AMQP_SASL_METHOD_PLAIN, "guest", "guest");
  if (r.reply_type != AMQP_RESPONSE_NORMAL) return fail(w, "login", r), -1;
  for (int c = 1; c <= opt.channels; c++) {
    amqp_channel_open(w->conn, c);
    r = amqp_get_rpc_reply(w->conn);
    if (r.reply_type != AMQP_RESPONSE_NORMAL) return fail(w, "channel.open", r), -1;
  }
  return 0;
}

static void queue_name(char *out, size_t size, int q) { snprintf(out, size, "%s%d", opt.prefix, opt.first + q); }

/* Queues of this process's connection/channel: every (connections*channels)-th one. */
static int slot_of(worker *w, int channel) { return w->index * opt.channels + (channel - 1); }

/* Confirms that arrived: basic.ack/nack frames, read without blocking unless `block`. */
static int read_confirms(worker *w, uint64_t *acked, uint64_t *sent_at, int block) {
  for (;;) {
    amqp_frame_t f;
    struct timeval zero = {0, 0};
    int rc = block ? amqp_simple_wait_frame(w->conn, &f) : amqp_simple_wait_frame_noblock(w->conn, &f, &zero);
    if (rc == AMQP_STATUS_TIMEOUT) return 0;
    if (rc != AMQP_STATUS_OK) {
      snprintf(w->error, sizeof w->error, "reading confirms: %s", amqp_error_string2(rc));
      return -1;
    }
    if (f.frame_type != AMQP_FRAME_METHOD) continue;
    uint64_t tag;
    int multiple, nack = 0;
    if (f.payload.method.id == AMQP_BASIC_ACK_METHOD) {
      amqp_basic_ack_t *a = f.payload.method.decoded;
      tag = a->delivery_tag, multiple = a->multiple;
    } else if (f.payload.method.id == AMQP_BASIC_NACK_METHOD) {
      amqp_basic_nack_t *a = f.payload.method.decoded;
      tag = a->delivery_tag, multiple = a->multiple, nack = 1;
    } else {
      snprintf(w->error, sizeof w->error, "unexpected method 0x%08x while waiting for confirms", f.payload.method.id);
      return -1;
    }
    int ch = f.channel;
    uint64_t from = multiple ? acked[ch] + 1 : tag;
    uint64_t t = now_ns();
    for (uint64_t k = from; k <= tag; k++) w->latency.counts[bucket_of(t - sent_at[ch * opt.confirm_window + (k % opt.confirm_window)])]++;
    w->confirmed += tag - from + 1;
    if (nack) w->nacked += tag - from + 1;
    if (tag > acked[ch]) acked[ch] = tag;
    block = 0;
  }
}


/*
 * Publishing writes the frames itself into a buffer that goes out in one
 * write() per 64 KiB (librabbitmq's amqp_basic_publish makes three send()
 * calls per message, which made the client the limit). librabbitmq keeps no
 * state about frames it sends, so only its reads are shared with it.
 */
typedef struct {
  unsigned char *data;
  size_t used, size;
  int fd;
} out_buffer;

static int flush_out(out_buffer *o) {
  size_t off = 0;
  while (off < o->used) {
    ssize_t n = write(o->fd, o->data + off, o->used - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      /* librabbitmq's sockets are non-blocking: wait until the broker reads again. */
      struct pollfd p = {o->fd, POLLOUT, 0};
      if (poll(&p, 1, -1) < 0 && errno != EINTR) return -1;
      continue;
    }
    if (n <= 0) return -1;
    off += (size_t)n;
  }
  o->used = 0;
  return 0;
}

static unsigned char *put16(unsigned char *p, uint16_t v) { p[0] = v >> 8, p[1] = v & 0xff; return p + 2; }
static unsigned char *put32(unsigned char *p, uint32_t v) { return put16(put16(p, v >> 16), v & 0xffff); }
static unsigned char *put64(unsigned char *p, uint64_t v) { return put32(put32(p, v >> 32), v & 0xffffffff); }

/* One frame of `type` on `channel`; `payload` bytes written by the caller at the returned pointer. */
static unsigned char *frame_start(out_buffer *o, int type, int channel, uint32_t payload) {
  unsigned char *p = o->data + o->used;
  *p++ = (unsigned char)type;
  p = put16(p, (uint16_t)channel);
  p = put32(p, payload);
  o->used += 7 + payload + 1;
  p[payload] = 0xCE;
  return p;
}

/* basic.publish to the default exchange, its content header and body frames. */
static int publish_raw(out_buffer *o, int channel, const char *queue, const unsigned char *body, size_t len, int persistent, size_t frame_max) {
  size_t qlen = strlen(queue), chunk = frame_max - 8;
  size_t need = (7 + 4 + 2 + 1 + 1 + qlen + 1 + 1) + (7 + 14 + (persistent ? 3 : 2) + 1) + (len / chunk + 1) * 8 + len;
  if (o->used + need > o->size && flush_out(o) < 0) return -1;
  if (need > o->size) {
    o->size = need;
    o->data = realloc(o->data, o->size);
  }
  unsigned char *p = frame_start(o, AMQP_FRAME_METHOD, channel, (uint32_t)(4 + 2 + 1 + 1 + qlen + 1));
  p = put32(p, AMQP_BASIC_PUBLISH_METHOD);
  p = put16(p, 0);
  *p++ = 0; /* exchange "" */
  *p++ = (unsigned char)qlen;
  memcpy(p, queue, qlen);
  p += qlen;
  *p = 0; /* mandatory, immediate */
  p = frame_start(o, AMQP_FRAME_HEADER, channel, persistent ? 15 : 14);
  p = put16(p, 60);
  p = put16(p, 0);
  p = put64(p, len);
  p = put16(p, persistent ? AMQP_BASIC_DELIVERY_MODE_FLAG : 0);
  if (persistent) *p = 2;
  for (size_t off = 0; off < len; off += chunk) {
    size_t n = len - off < chunk ? len - off : chunk;
    memcpy(frame_start(o, AMQP_FRAME_BODY, channel, (uint32_t)n), body + off, n);
  }
  return o->used >= 65536 ? flush_out(o) : 0;
}

static void *publish(void *arg) {
  worker *w = arg;
  if (open_connection(w) < 0) return NULL;
  int window = opt.confirm_window;
  uint64_t *acked = calloc(opt.channels + 1, sizeof *acked), *tags = calloc(opt.channels + 1, sizeof *tags);
  uint64_t *sent_at = window ? calloc((size_t)(opt.channels + 1) * window, sizeof *sent_at) : NULL;
  if (window)
    for (int c = 1; c <= opt.channels; c++) {
      amqp_confirm_select(w->conn, c);
      amqp_rpc_reply_t r = amqp_get_rpc_reply(w->conn);
      if (r.reply_type != AMQP_RESPONSE_NORMAL) return fail(w, "confirm.select", r), NULL;
    }
  unsigned char *body = malloc(opt.body);
  memset(body, 'a', opt.body);
  out_buffer out = {malloc(1 << 17), 0, 1 << 17, amqp_get_sockfd(w->conn)};
  size_t frame_max = (size_t)amqp_get_frame_max(w->conn);
  /* Each channel publishes round robin to the queues of its slot. */
  int slots = opt.connections * opt.channels;
  char names[MAX_CHANNELS + 1][64];
  int next_queue[MAX_CHANNELS + 1];
  for (int c = 1; c <= opt.channels; c++) next_queue[c] = slot_of(w, c) % opt.queues;
  double rate = opt.rate / opt.connections; /* this thread's share */
  long limit = opt.messages > 0 ? opt.messages / opt.connections + (w->index < opt.messages % opt.connections) : -1;
  uint64_t start = now_ns(), deadline = opt.seconds > 0 ? start + (uint64_t)(opt.seconds * 1e9) : UINT64_MAX;
  w->first_ns = start;
  int c = 1;
  while (!stopping && (limit < 0 || (long)w->done < limit)) {
    uint64_t t = now_ns();
    if (t >= deadline) break;
    if (rate > 0 && (double)w->done >= rate * (double)(t - start) / 1e9) {
      if (flush_out(&out) < 0) break;
      struct timespec pause = {0, 100000};
      nanosleep(&pause, NULL);
      continue;
    }
    if (window) {
      while (tags[c] - acked[c] >= (uint64_t)window)
        if (flush_out(&out) < 0 || read_confirms(w, acked, sent_at, 1) < 0) goto out;
    }
    int q = next_queue[c];
    queue_name(names[c], sizeof names[c], q);
    next_queue[c] = q + slots < opt.queues ? q + slots : slot_of(w, c) % opt.queues;
    uint64_t sent = now_ns();
    memcpy(body, &sent, 8);
    if (publish_raw(&out, c, names[c], body, (size_t)opt.body, opt.persistent, frame_max) < 0) {
      snprintf(w->error, sizeof w->error, "basic.publish: %s", strerror(errno));
      break;
    }
    if (window) {
      tags[c]++;
      sent_at[c * window + (tags[c] % window)] = sent;
      if ((tags[c] & 63) == 0 && read_confirms(w, acked, sent_at, 0) < 0) break;
    }
    w->done++;
    c = c == opt.channels ? 1 : c + 1;
  }
  if (flush_out(&out) < 0 && !w->error[0]) snprintf(w->error, sizeof w->error, "basic.publish: %s", strerror(errno));
  if (window)
    for (int k = 1; k <= opt.channels && !w->error[0]; k++)
      while (acked[k] < tags[k])
        if (read_confirms(w, acked, sent_at, 1) < 0) break;
out:
  w->last_ns = now_ns();
  amqp_connection_close(w->conn, AMQP_REPLY_SUCCESS);
  return NULL;
}

static worker *workers;

static void *consume(void *arg) {
  worker *w = arg;
  if (open_connection(w) < 0) return set_up(), NULL;
  int slots = opt.connections * opt.channels;
  char name[64];
  for (int c = 1; c <= opt.channels; c++) {
    amqp_basic_qos(w->conn, c, 0, (uint16_t)opt.prefetch, 0);
    amqp_rpc_reply_t r = amqp_get_rpc_reply(w->conn);
    if (r.reply_type != AMQP_RESPONSE_NORMAL) return fail(w, "basic.qos", r), set_up(), NULL;
    for (int q = slot_of(w, c); q < opt.queues; q += slots) {
      queue_name(name, sizeof name, q);
      amqp_basic_consume(w->conn, c, amqp_cstring_bytes(name), amqp_empty_bytes, 0, 0, 0, amqp_empty_table);
      r = amqp_get_rpc_reply(w->conn);
      if (r.reply_type != AMQP_RESPONSE_NORMAL) return fail(w, "basic.consume", r), set_up(), NULL;
    }
  }
  set_up();
  /* Acks go out with multiple=true: every prefetch/4 deliveries of a channel, and whenever nothing more is buffered. */
  uint64_t last_tag[MAX_CHANNELS + 1] = {0};
  int unacked[MAX_CHANNELS + 1] = {0};
  int ack_every = opt.prefetch / 4 > 0 ? opt.prefetch / 4 : 1;
  while (!stopping) {
    amqp_envelope_t e;
    struct timeval wait = {0, 50000};
    if (!amqp_data_in_buffer(w->conn)) {
      for (int c = 1; c <= opt.channels; c++)
        if (unacked[c]) amqp_basic_ack(w->conn, c, last_tag[c], 1), unacked[c] = 0;
      amqp_maybe_release_buffers(w->conn);
    }
    amqp_rpc_reply_t r = amqp_consume_message(w->conn, &e, &wait, 0);
    if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_TIMEOUT) continue;
    if (stopping) break;
    if (r.reply_type != AMQP_RESPONSE_NORMAL) {
      fail(w, "consume", r);
      break;
    }
    uint64_t t = now_ns(), sent;
    if (e.message.body.len >= 8) {
      memcpy(&sent, e.message.body.bytes, 8);
      w->latency.counts[bucket_of(t > sent ? t - sent : 0)]++;
    }
    if (w->done == 0) w->first_ns = t;
    w->last_ns = t;
    last_tag[e.channel] = e.delivery_tag;
    if (++unacked[e.channel] >= ack_every) amqp_basic_ack(w->conn, e.channel, e.delivery_tag, 1), unacked[e.channel] = 0;
    w->done++;
    amqp_destroy_envelope(&e);
  }
  return NULL;
}

static void on_stop(int sig) {
  (void)sig;
  stopping = 1;
}

static void print_histogram(const histogram *h) {
  int last = BUCKETS - 1;
  while (last > 0 && h->counts[last] == 0) last--;
  printf("[");
  for (int i = 0; i <= last; i++) printf(i ? ",%llu" : "%llu", (unsigned long long)h->counts[i]);
  printf("]");
}

int main(int argc, char **argv) {
  if (argc < 2 || (strcmp(argv[1], "pub") && strcmp(argv[1], "sub"))) {
    fprintf(stderr, "usage: amqp-load pub|sub --port P --prefix Q --first A --count-queues N [...] (see the head of amqp-load.c)\n");
    return 2;
  }
  opt.publisher = strcmp(argv[1], "pub") == 0;
  for (int i = 2; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--persistent")) { opt.persistent = 1; continue; }
    if (!v) { fprintf(stderr, "amqp-load: %s needs a value\n", a); return 2; }
    i++;
    if (!strcmp(a, "--port")) opt.port = atoi(v);
    else if (!strcmp(a, "--prefix")) opt.prefix = v;
    else if (!strcmp(a, "--first")) opt.first = atoi(v);
    else if (!strcmp(a, "--count-queues")) opt.queues = atoi(v);
    else if (!strcmp(a, "--connections")) opt.connections = atoi(v);
    else if (!strcmp(a, "--channels")) opt.channels = atoi(v);
    else if (!strcmp(a, "--body")) opt.body = atoi(v);
    else if (!strcmp(a, "--rate")) opt.rate = atof(v);
    else if (!strcmp(a, "--seconds")) opt.seconds = atof(v);
    else if (!strcmp(a, "--messages")) opt.messages = atol(v);
    else if (!strcmp(a, "--confirm")) opt.confirm_window = atoi(v);
    else if (!strcmp(a, "--prefetch")) opt.prefetch = atoi(v);
    else { fprintf(stderr, "amqp-load: unknown option %s\n", a); return 2; }
  }
  if (opt.body < 8 || opt.channels < 1 || opt.channels > MAX_CHANNELS || opt.connections < 1 || opt.queues < 1) {
    fprintf(stderr, "amqp-load: --body must be >= 8, --channels 1..%d, --connections and --count-queues >= 1\n", MAX_CHANNELS);
    return 2;
  }
  signal(SIGTERM, on_stop);
  signal(SIGINT, on_stop);
  signal(SIGPIPE, SIG_IGN);
  workers = calloc(opt.connections, sizeof *workers);
  pthread_t *threads = calloc(opt.connections, sizeof *threads);
  for (int i = 0; i < opt.connections; i++) {
    workers[i].index = i;
    pthread_create(&threads[i], NULL, opt.publisher ? publish : consume, &workers[i]);
  }
  if (!opt.publisher) {
    /* Progress for the orchestrator, which decides when everything arrived. */
    while (__atomic_load_n(&workers_set_up, __ATOMIC_SEQ_CST) < opt.connections && !stopping) {
      struct timespec pause = {0, 5000000};
      nanosleep(&pause, NULL);
    }
    printf("ready\n");
    fflush(stdout);
    while (!stopping) {
      uint64_t received = 0;
      for (int i = 0; i < opt.connections; i++) received += workers[i].done;
      printf("progress %llu\n", (unsigned long long)received);
      fflush(stdout);
      struct timespec pause = {0, 100000000};
      nanosleep(&pause, NULL);
    }
  }
  histogram all = {0};
  uint64_t done = 0, confirmed = 0, nacked = 0, first = UINT64_MAX, last = 0;
  const char *error = "";
  for (int i = 0; i < opt.connections; i++) {
    pthread_join(threads[i], NULL);
    worker *w = &workers[i];
    for (int b = 0; b < BUCKETS; b++) all.counts[b] += w->latency.counts[b];
    done += w->done, confirmed += w->confirmed, nacked += w->nacked;
    if (w->done && w->first_ns < first) first = w->first_ns;
    if (w->last_ns > last) last = w->last_ns;
    if (w->error[0] && !error[0]) error = w->error;
    for (char *q = w->error; *q; q++)
      if (*q == '"' || *q == '\\' || (unsigned char)*q < 0x20) *q = '\''; /* printed inside a JSON string */
  }
  printf("{\"role\":\"%s\",\"count\":%llu,\"confirmed\":%llu,\"nacked\":%llu,\"firstNs\":%llu,\"lastNs\":%llu,\"error\":\"%s\",\"latency\":",
         opt.publisher ? "pub" : "sub", (unsigned long long)done, (unsigned long long)confirmed, (unsigned long long)nacked, (unsigned long long)(first == UINT64_MAX ? 0 : first),
         (unsigned long long)last, error);
  print_histogram(&all);
  printf("}\n");
  return 0;
}
