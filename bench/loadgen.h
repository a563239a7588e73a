/* Shared types for the denosocket load generator (bench/loadgen*.c).
 * One thread, one epoll set, non-blocking sockets. The generator stays
 * cheap so the server under test, not the client, sets the figures. */
#ifndef LOADGEN_H
#define LOADGEN_H

#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

/* Growable byte buffer; live bytes are p[off..len). */
typedef struct {
  uint8_t *p;
  size_t off, len, cap;
} buf_t;

enum { ST_FREE, ST_CONNECTING, ST_UPGRADING, ST_OPEN, ST_DONE };

typedef struct conn {
  int fd, state, id, want_out;
  buf_t in, out, frag;
  int frag_op, frag_rsv1, got_close, sent_close;
  int deflate, srv_no_ctx, z_ready;
  z_stream zi;
  uint64_t sent, acked; /* echo messages sent / verified on this conn */
  uint64_t *ts;         /* send time (ns) ring, indexed seq % inflight */
} conn_t;

typedef struct {
  const char *mode, *host, *path, *key, *accept, *type;
  int port, pid, conns, inflight, size, deflate, total, concurrency;
  int use; /* idle: echo one message on each connection before measuring */
  int any_close; /* handshake: the server may end without answering our close */
  double warmup, duration, hold;
} cfg_t;

struct lg;
typedef void (*msg_fn)(struct lg *g, conn_t *c, int op, const uint8_t *d,
                       size_t n);
typedef void (*conn_fn)(struct lg *g, conn_t *c);

/* Whole-run state: config, sockets, payload template, counters. */
typedef struct lg {
  cfg_t c;
  int ep, closing, stopping, measuring, open_count, done_count, started;
  int need_close_reply; /* handshake: an EOF before the server's close fails */
  char err[256];
  conn_t *conns;
  int nconns;
  uint8_t mask[4];
  uint8_t *tmpl, *mtmpl; /* payload template, and pre-masked copy */
  int hdr_off;           /* where the 16-char id sits inside the payload */
  uint8_t *zpre;  /* pre-masked compressed payload prefix (s6) */
  uint8_t *ibuf;  /* inflated reply scratch */
  size_t zpre_len, icap, rsize; /* rsize: read chunk, scaled to msg size */
  uint64_t rx_now, msgs, bytes;
  uint32_t *hist; /* latency histogram, 1 us buckets */
  msg_fn on_msg;
  conn_fn on_open, on_close;
} lg_t;

#define HIST_MAX (1u << 21) /* ~2.1 s; slower replies land in the last bucket */
#define HDR_LEN 16

/* loadgen_net.c */
void buf_reserve(buf_t *b, size_t extra);
void buf_append(buf_t *b, const void *d, size_t n);
void fail(lg_t *g, const char *fmt, ...);
int conn_start(lg_t *g, conn_t *c);
void conn_finish(lg_t *g, conn_t *c);
void conn_flush(lg_t *g, conn_t *c);
int lg_poll(lg_t *g, int timeout_ms);

/* loadgen_ws.c */
size_t ws_header(uint8_t *h, int b0, size_t n, const uint8_t *mask);
void ws_queue_frame(lg_t *g, conn_t *c, int op, const uint8_t *d, size_t n);
void ws_queue_close(lg_t *g, conn_t *c);
int ws_parse(lg_t *g, conn_t *c);
int ws_upgrade_reply(lg_t *g, conn_t *c);

/* loadgen_payload.c */
void payload_init(lg_t *g);
void payload_queue(lg_t *g, conn_t *c, uint64_t seq);
int payload_check(lg_t *g, conn_t *c, int op, const uint8_t *d, size_t n,
                  uint64_t seq);
int pmd_setup(lg_t *g, conn_t *c, const char *ext);
int pmd_inflate(lg_t *g, conn_t *c, const uint8_t *d, size_t n,
                const uint8_t **out, size_t *outn);

/* loadgen_stats.c */
uint64_t now_ns(void);
double cpu_self_s(void);
double cpu_pid_s(int pid);
double cpu_all_s(void);
long rss_kb(int pid);
double hist_pct(const uint32_t *h, uint64_t total, double pct);

/* loadgen_modes.c */
int mode_echo(lg_t *g);
int mode_handshake(lg_t *g);
int mode_idle(lg_t *g);

/* loadgen.c: JSON result fields, printed once at exit */
void out_num(const char *k, double v);
void out_str(const char *k, const char *v);

#endif
