/* RFC 6455 client side: the 101 check, masked frames out, frames in. */
#include "loadgen.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

size_t ws_header(uint8_t *h, int b0, size_t n, const uint8_t *mask) {
  size_t k = 2;
  h[0] = (uint8_t)b0;
  if (n < 126) {
    h[1] = 0x80 | (uint8_t)n;
  } else if (n < 65536) {
    h[1] = 0x80 | 126;
    h[2] = n >> 8;
    h[3] = n & 0xff;
    k = 4;
  } else {
    h[1] = 0x80 | 127;
    for (int i = 0; i < 8; i++) h[2 + i] = (uint8_t)(n >> (56 - 8 * i));
    k = 10;
  }
  memcpy(h + k, mask, 4);
  return k + 4;
}

/* Small control or compressed frames: copy then mask in place. */
void ws_queue_frame(lg_t *g, conn_t *c, int b0, const uint8_t *d, size_t n) {
  uint8_t h[14];
  size_t k = ws_header(h, b0, n, g->mask);
  buf_reserve(&c->out, k + n);
  memcpy(c->out.p + c->out.len, h, k);
  uint8_t *p = c->out.p + c->out.len + k;
  for (size_t i = 0; i < n; i++) p[i] = d[i] ^ g->mask[i & 3];
  c->out.len += k + n;
}

void ws_queue_close(lg_t *g, conn_t *c) {
  static const uint8_t normal[2] = {0x03, 0xe8}; /* 1000 */
  if (c->sent_close || c->state != ST_OPEN) return;
  ws_queue_frame(g, c, 0x88, normal, 2);
  c->sent_close = 1;
}

static int header_is(const char *line, size_t n, const char *name) {
  size_t k = strlen(name);
  return n > k && line[k] == ':' && strncasecmp(line, name, k) == 0;
}

/* Returns 1 when the 101 is complete and valid, 0 for "need more", -1 bad. */
int ws_upgrade_reply(lg_t *g, conn_t *c) {
  char *s = (char *)c->in.p + c->in.off;
  size_t avail = c->in.len - c->in.off;
  char *end = memmem(s, avail, "\r\n\r\n", 4);
  if (!end) {
    if (avail > 16384) fail(g, "upgrade reply too long");
    return avail > 16384 ? -1 : 0;
  }
  if (strncmp(s, "HTTP/1.1 101", 12) != 0) {
    char *eol = memchr(s, '\r', end - s);
    fail(g, "upgrade refused: %.*s", (int)(eol - s), s);
    return -1;
  }
  int accept_ok = 0;
  char ext[256] = "";
  for (char *line = strstr(s, "\r\n") + 2; line < end;) {
    char *eol = strstr(line, "\r\n");
    size_t n = eol - line;
    char *v = memchr(line, ':', n);
    if (v) {
      v++;
      while (*v == ' ' || *v == '\t') v++;
      size_t vn = eol - v;
      if (header_is(line, n, "sec-websocket-accept"))
        accept_ok = vn == strlen(g->c.accept) && !memcmp(v, g->c.accept, vn);
      if (header_is(line, n, "sec-websocket-extensions") && vn < sizeof ext)
        memcpy(ext, v, vn), ext[vn] = 0;
    }
    line = eol + 2;
  }
  if (!accept_ok) {
    fail(g, "missing or wrong Sec-WebSocket-Accept");
    return -1;
  }
  c->in.off += (end + 4) - s;
  if (ext[0] && pmd_setup(g, c, ext) < 0) return -1;
  return 1;
}

static int deliver(lg_t *g, conn_t *c, int op, int rsv1, const uint8_t *d,
                   size_t n) {
  if (rsv1) {
    if (!c->deflate) {
      fail(g, "conn %d: RSV1 set without permessage-deflate", c->id);
      return -1;
    }
    if (pmd_inflate(g, c, d, n, &d, &n) < 0) return -1;
  }
  if (g->on_msg) g->on_msg(g, c, op, d, n);
  return 0;
}

static void on_control(lg_t *g, conn_t *c, int op, const uint8_t *d,
                       size_t n) {
  if (op == 0x9) ws_queue_frame(g, c, 0x8a, d, n); /* ping -> pong */
  if (op != 0x8) return;
  c->got_close = 1;
  if (!c->sent_close && !g->closing)
    fail(g, "conn %d: server sent close (code %d)", c->id,
         n >= 2 ? (d[0] << 8 | d[1]) : 1005);
  if (!c->sent_close) ws_queue_frame(g, c, 0x88, d, n < 2 ? n : 2);
  conn_flush(g, c);
  conn_finish(g, c);
}

/* Parses every complete frame in the input buffer; -1 on protocol error. */
int ws_parse(lg_t *g, conn_t *c) {
  while (c->state == ST_OPEN) {
    uint8_t *p = c->in.p + c->in.off;
    size_t avail = c->in.len - c->in.off, hl = 2;
    if (avail < 2) break;
    int fin = p[0] >> 7, rsv1 = (p[0] >> 6) & 1, op = p[0] & 15;
    int masked = p[1] >> 7;
    uint64_t n = p[1] & 127;
    if (n == 126) {
      if (avail < 4) break;
      n = (uint64_t)p[2] << 8 | p[3];
      hl = 4;
    } else if (n == 127) {
      if (avail < 10) break;
      n = 0;
      for (int i = 0; i < 8; i++) n = n << 8 | p[2 + i];
      hl = 10;
    }
    if (masked) hl += 4;
    if (avail < hl + n) break;
    uint8_t *d = p + hl;
    if (masked) /* servers must not mask; tolerate it, it costs nothing */
      for (uint64_t i = 0; i < n; i++) d[i] ^= p[hl - 4 + (i & 3)];
    c->in.off += hl + n;
    if (op >= 8) {
      on_control(g, c, op, d, n);
    } else if (op != 0 && fin) {
      if (deliver(g, c, op, rsv1, d, n) < 0) return -1;
    } else if (op != 0) {
      c->frag.len = 0;
      c->frag_op = op;
      c->frag_rsv1 = rsv1;
      buf_append(&c->frag, d, n);
    } else {
      buf_append(&c->frag, d, n);
      if (fin && deliver(g, c, c->frag_op, c->frag_rsv1, c->frag.p,
                         c->frag.len) < 0)
        return -1;
    }
  }
  if (c->in.off == c->in.len) c->in.off = c->in.len = 0;
  return 0;
}
