/* The three workloads: echo (s1/s2/s3/s6), handshake (s4), idle (s5). */
#include "loadgen.h"

#include <stdlib.h>
#include <string.h>

#define SEC 1000000000ull

static void echo_msg(lg_t *g, conn_t *c, int op, const uint8_t *d, size_t n) {
  if (c->acked >= c->sent) {
    fail(g, "conn %d: message nobody sent", c->id);
    return;
  }
  uint64_t seq = c->acked;
  if (payload_check(g, c, op, d, n, seq) < 0) return;
  uint64_t us = (g->rx_now - c->ts[seq % g->c.inflight]) / 1000;
  c->acked++;
  if (g->measuring) {
    g->msgs++;
    g->bytes += n;
    g->hist[us < HIST_MAX ? us : HIST_MAX - 1]++;
  }
  if (!g->stopping) payload_queue(g, c, c->sent++);
}

/* CPU shares over the window, in cores: ours, the server's, and everyone
 * else's (so a noisy neighbour shows up next to the figure it spoiled). */
static void cpu_report(lg_t *g, double el, double c0, double s0, double a0) {
  double c = cpu_self_s() - c0, s = cpu_pid_s(g->c.pid) - s0;
  double a = cpu_all_s() - a0;
  out_num("client_cpu", c / el);
  if (g->c.pid <= 0 || s0 < 0) return;
  out_num("server_cpu", s / el);
  if (a0 >= 0) out_num("other_cpu", (a - c - s) / el > 0 ? (a - c - s) / el : 0);
}

static void alloc_conns(lg_t *g, int n) {
  g->nconns = n;
  g->conns = calloc(n, sizeof(conn_t));
  for (int i = 0; i < n; i++) {
    g->conns[i].id = i;
    g->conns[i].ts = calloc(g->c.inflight > 0 ? g->c.inflight : 1, 8);
  }
}

/* Opens connections up to index `upto`, at most `conc` handshakes at once. */
static int open_all(lg_t *g, int upto, int conc, double timeout_s) {
  uint64_t end = now_ns() + (uint64_t)(timeout_s * SEC);
  while (g->open_count < upto && !g->err[0]) {
    while (g->started < upto && g->started - g->open_count < conc)
      if (conn_start(g, &g->conns[g->started++]) < 0) return -1;
    lg_poll(g, 5);
    if (now_ns() > end) {
      fail(g, "only %d of %d connections opened in %.0f s", g->open_count,
           upto, timeout_s);
    }
  }
  return g->err[0] ? -1 : 0;
}

static int all_acked(lg_t *g) {
  for (int i = 0; i < g->nconns; i++)
    if (g->conns[i].acked < g->conns[i].sent) return 0;
  return 1;
}

/* Waits for every outstanding echo: a missing one means a dropped message. */
static void drain(lg_t *g, double timeout_s) {
  g->stopping = 1;
  uint64_t end = now_ns() + (uint64_t)(timeout_s * SEC);
  while (!g->err[0] && !all_acked(g)) {
    if (now_ns() > end) fail(g, "replies missing after %.0f s", timeout_s);
    lg_poll(g, 5);
  }
}

/* Close handshake on every socket; whatever lingers is cut after timeout. */
static void close_all(lg_t *g, double timeout_s) {
  g->closing = 1;
  for (int i = 0; i < g->nconns; i++) {
    ws_queue_close(g, &g->conns[i]);
    conn_flush(g, &g->conns[i]);
  }
  uint64_t end = now_ns() + (uint64_t)(timeout_s * SEC);
  while (g->done_count < g->nconns && now_ns() < end) lg_poll(g, 5);
  for (int i = 0; i < g->nconns; i++) conn_finish(g, &g->conns[i]);
}

/* "off" (not offered), "accepted" (by every connection) or "declined". */
static void report_deflate(lg_t *g) {
  int deflated = 0;
  for (int i = 0; i < g->nconns; i++) deflated += g->conns[i].deflate;
  out_str("deflate", !g->c.deflate             ? "off"
                     : deflated == g->nconns ? "accepted"
                     : deflated              ? "partly accepted"
                                             : "declined");
}

int mode_echo(lg_t *g) {
  g->on_msg = echo_msg;
  alloc_conns(g, g->c.conns);
  if (open_all(g, g->nconns, 128, 20) < 0) return -1;
  for (int i = 0; i < g->nconns; i++) {
    conn_t *c = &g->conns[i];
    for (int k = 0; k < g->c.inflight; k++) payload_queue(g, c, c->sent++);
    conn_flush(g, c);
  }
  report_deflate(g);
  uint64_t t0 = now_ns(), tw = t0 + (uint64_t)(g->c.warmup * SEC);
  uint64_t te = tw + (uint64_t)(g->c.duration * SEC), m0 = 0, m1 = 0;
  double c0 = 0, s0 = 0, a0 = 0;
  while (!g->err[0]) {
    uint64_t t = now_ns();
    if (!g->measuring && t >= tw) { /* warm-up over: start counting */
      g->measuring = 1;
      m0 = t;
      c0 = cpu_self_s();
      s0 = cpu_pid_s(g->c.pid);
      a0 = cpu_all_s();
    } else if (g->measuring && t >= te) {
      m1 = t;
      g->measuring = 0;
      break;
    }
    lg_poll(g, 1);
  }
  double el = m1 > m0 ? (m1 - m0) / 1e9 : 0;
  if (el > 0) cpu_report(g, el, c0, s0, a0);
  drain(g, 5);
  close_all(g, 2);
  out_num("elapsed_s", el);
  out_num("msgs", (double)g->msgs);
  out_num("msgs_per_s", el > 0 ? g->msgs / el : 0);
  out_num("mb_per_s", el > 0 ? g->bytes / el / 1e6 : 0);
  out_num("p50_us", hist_pct(g->hist, g->msgs, 50));
  out_num("p99_us", hist_pct(g->hist, g->msgs, 99));
  return g->err[0] ? -1 : 0;
}

static void hs_open(lg_t *g, conn_t *c) { ws_queue_close(g, c); }

/* Opens and closes connections, `concurrency` at a time: `total` of them,
 * or (total < 0) as many as start before `until`; returns how many. */
static int hs_loop(lg_t *g, int total, uint64_t until) {
  int started = 0;
  uint64_t end = now_ns() + 60 * SEC;
  g->done_count = 0;
  while (!g->err[0]) {
    int more = total >= 0 ? started < total : now_ns() < until;
    if (!more && g->done_count >= started) break;
    for (int i = 0; i < g->nconns && more; i++) {
      conn_t *c = &g->conns[i];
      if (c->state != ST_FREE && c->state != ST_DONE) continue;
      c->id = started++;
      if (conn_start(g, c) < 0) break;
      more = total >= 0 ? started < total : now_ns() < until;
    }
    lg_poll(g, 1);
    if (now_ns() > end) fail(g, "%d of %d done in 60 s", g->done_count, started);
  }
  return started;
}

/* s4. --warmup S first runs handshakes for S seconds, uncounted, like the
 * timed echo scenarios: otherwise the counted ones include the JIT's
 * warm-up, which costs a framework's longer handshake path the most. */
int mode_handshake(lg_t *g) {
  int total = g->c.total;
  g->on_open = hs_open;
  /* s4 requires the server's close reply; the spawn row does not (its
   * program exits at once, so the server closes first, and websocketd then
   * resets the connection instead of reading our close). */
  g->need_close_reply = !g->c.any_close;
  alloc_conns(g, g->c.concurrency);
  if (g->c.warmup > 0) {
    int warm = hs_loop(g, -1, now_ns() + (uint64_t)(g->c.warmup * SEC));
    out_num("warmup_conns", warm);
  }
  uint64_t t0 = now_ns();
  double c0 = cpu_self_s(), s0 = cpu_pid_s(g->c.pid), a0 = cpu_all_s();
  hs_loop(g, total, 0);
  double el = (now_ns() - t0) / 1e9;
  out_num("elapsed_s", el);
  out_num("conns_per_s", g->err[0] ? 0 : total / el);
  cpu_report(g, el, c0, s0, a0);
  for (int i = 0; i < g->nconns; i++) conn_finish(g, &g->conns[i]);
  return g->err[0] ? -1 : 0;
}

/* Sends one checked echo on connections [from, to) and waits for them. */
static void probe(lg_t *g, int from, int to) {
  for (int i = from; i < to && !g->err[0]; i++) {
    payload_queue(g, &g->conns[i], g->conns[i].sent++);
    conn_flush(g, &g->conns[i]);
  }
  drain(g, 10);
}

/* RSS per connection is the marginal cost: WARM connections are opened and
 * used first so that lazily loaded code and first-use buffers land in
 * "before", not in the per-connection figure. */
#define WARM 100

int mode_idle(lg_t *g) {
  g->on_msg = echo_msg;
  g->stopping = 1; /* probes only, no follow-up messages */
  g->c.inflight = 1;
  alloc_conns(g, WARM + g->c.conns);
  if (open_all(g, WARM, g->c.concurrency, 20) < 0) return -1;
  probe(g, 0, WARM);
  uint64_t end = now_ns() + 200 * 1000000ull;
  while (now_ns() < end && !g->err[0]) lg_poll(g, 10);
  long before = rss_kb(g->c.pid);
  uint64_t t0 = now_ns();
  if (open_all(g, g->nconns, g->c.concurrency, 60) < 0) return -1;
  out_num("open_s", (now_ns() - t0) / 1e9);
  report_deflate(g);
  /* --use: per-connection state created on first message (zlib contexts
   * under permessage-deflate) belongs in the figure. */
  if (g->c.use) probe(g, WARM, g->nconns);
  end = now_ns() + (uint64_t)(g->c.hold * SEC);
  while (now_ns() < end && !g->err[0]) lg_poll(g, 10); /* let it settle */
  long after = rss_kb(g->c.pid);
  out_num("rss_before_kb", before);
  out_num("rss_after_kb", after);
  out_num("bytes_per_conn", (after - before) * 1024.0 / g->c.conns);
  probe(g, WARM, g->nconns); /* prove the idle connections are live */
  close_all(g, 3);
  return g->err[0] ? -1 : 0;
}
