/* Sockets and the epoll loop: connect, upgrade request, bulk read/write. */
#include "loadgen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

void buf_reserve(buf_t *b, size_t extra) {
  if (b->off > 0 && (b->off == b->len || b->off > b->cap / 2)) {
    /* Reclaim consumed space before growing: keeps buffers small. */
    memmove(b->p, b->p + b->off, b->len - b->off);
    b->len -= b->off;
    b->off = 0;
  }
  if (b->len + extra <= b->cap) return;
  size_t cap = b->cap ? b->cap : 4096;
  while (cap < b->len + extra) cap *= 2;
  b->p = realloc(b->p, cap);
  if (!b->p) {
    perror("realloc");
    exit(2);
  }
  b->cap = cap;
}

void buf_append(buf_t *b, const void *d, size_t n) {
  buf_reserve(b, n);
  memcpy(b->p + b->len, d, n);
  b->len += n;
}

/* Keeps the first error only: later ones are usually its consequences. */
void fail(lg_t *g, const char *fmt, ...) {
  if (g->err[0]) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(g->err, sizeof g->err, fmt, ap);
  va_end(ap);
}

static void set_interest(lg_t *g, conn_t *c, int want_out) {
  if (c->want_out == want_out) return;
  struct epoll_event ev = {.events = EPOLLIN | (want_out ? EPOLLOUT : 0),
                           .data.ptr = c};
  epoll_ctl(g->ep, EPOLL_CTL_MOD, c->fd, &ev);
  c->want_out = want_out;
}

int conn_start(lg_t *g, conn_t *c) {
  c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c->fd < 0) {
    fail(g, "socket: %s", strerror(errno));
    return -1;
  }
  int one = 1;
  setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(g->c.port)};
  inet_pton(AF_INET, g->c.host, &sa.sin_addr);
  if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) < 0 &&
      errno != EINPROGRESS) {
    fail(g, "connect: %s", strerror(errno));
    close(c->fd);
    return -1;
  }
  c->state = ST_CONNECTING;
  c->in.off = c->in.len = c->out.off = c->out.len = c->frag.len = 0;
  c->got_close = c->sent_close = c->deflate = 0;
  c->sent = c->acked = 0;
  struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = c};
  epoll_ctl(g->ep, EPOLL_CTL_ADD, c->fd, &ev);
  c->want_out = 1;
  char req[512];
  int n = snprintf(req, sizeof req,
                   "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n"
                   "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                   "Sec-WebSocket-Version: 13\r\n%s\r\n",
                   g->c.path, g->c.host, g->c.port, g->c.key,
                   g->c.deflate ? "Sec-WebSocket-Extensions: permessage-deflate;"
                                  " client_max_window_bits\r\n"
                                : "");
  buf_append(&c->out, req, n);
  return 0;
}

void conn_finish(lg_t *g, conn_t *c) {
  if (c->state == ST_DONE || c->state == ST_FREE) return;
  epoll_ctl(g->ep, EPOLL_CTL_DEL, c->fd, NULL);
  close(c->fd);
  c->state = ST_DONE;
  g->done_count++;
  if (g->on_close) g->on_close(g, c);
}

/* Writes everything queued in one syscall where the kernel takes it. */
void conn_flush(lg_t *g, conn_t *c) {
  if (c->state == ST_CONNECTING || c->state >= ST_DONE) return;
  while (c->out.len > c->out.off) {
    ssize_t w = write(c->fd, c->out.p + c->out.off, c->out.len - c->out.off);
    if (w > 0) {
      c->out.off += w;
      continue;
    }
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && errno == EAGAIN) {
      set_interest(g, c, 1);
      return;
    }
    if (!g->closing && !c->sent_close)
      fail(g, "conn %d write: %s", c->id, strerror(errno));
    conn_finish(g, c);
    return;
  }
  c->out.off = c->out.len = 0;
  set_interest(g, c, 0);
}

/* Consumes what arrived: the 101 first, then frames in bulk. */
static int conn_process(lg_t *g, conn_t *c) {
  if (c->state == ST_UPGRADING) {
    int r = ws_upgrade_reply(g, c);
    if (r <= 0) return r;
    c->state = ST_OPEN;
    g->open_count++;
    if (g->on_open) g->on_open(g, c);
  }
  return ws_parse(g, c);
}

static void conn_read(lg_t *g, conn_t *c) {
  /* A few reads per wake-up, then back to epoll: fair across sockets. */
  for (int i = 0; i < 8 && c->state < ST_DONE; i++) {
    buf_reserve(&c->in, g->rsize);
    size_t room = c->in.cap - c->in.len;
    ssize_t r = read(c->fd, c->in.p + c->in.len, room);
    if (r > 0) {
      c->in.len += r;
      g->rx_now = now_ns();
      if (conn_process(g, c) < 0) {
        conn_finish(g, c);
        return;
      }
      if ((size_t)r < room) return; /* drained: skip the EAGAIN read */
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && errno == EAGAIN) return;
    if (!g->closing && !c->got_close && !c->sent_close)
      fail(g, "conn %d: server ended the connection (%s)", c->id,
           r == 0 ? "EOF" : strerror(errno));
    /* RFC 6455 section 5.5.1: the server answers our close before it ends
     * TCP; one that skips the reply would count as a faster handshake. */
    else if (g->need_close_reply && c->sent_close && !c->got_close)
      fail(g, "conn %d: server ended the connection without a close reply (%s)",
           c->id, r == 0 ? "EOF" : strerror(errno));
    conn_finish(g, c);
    return;
  }
}

static void conn_event(lg_t *g, conn_t *c, uint32_t ev) {
  if (c->state == ST_FREE || c->state == ST_DONE) return; /* stale event */
  if (c->state == ST_CONNECTING) {
    int err = 0;
    socklen_t l = sizeof err;
    getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l);
    if (err) {
      fail(g, "connect: %s", strerror(err));
      conn_finish(g, c);
      return;
    }
    c->state = ST_UPGRADING;
  }
  if (ev & EPOLLOUT) conn_flush(g, c);
  if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) conn_read(g, c);
  if (c->state < ST_DONE) conn_flush(g, c);
}

/* One epoll round; returns the number of events handled. */
int lg_poll(lg_t *g, int timeout_ms) {
  struct epoll_event ev[512];
  int n = epoll_wait(g->ep, ev, 512, timeout_ms);
  for (int i = 0; i < n; i++) conn_event(g, ev[i].data.ptr, ev[i].events);
  return n < 0 ? 0 : n;
}
