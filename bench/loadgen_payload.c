/* Message payloads: a fixed template per run with a 16-char id (connection,
 * sequence) stamped in, so every echo is checked byte for byte cheaply.
 * Also permessage-deflate (RFC 7692) on the client side via zlib. */
#include "loadgen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t TAIL[4] = {0x00, 0x00, 0xff, 0xff};

static void stamp(uint8_t *h, int id, uint64_t seq) {
  static const char hex[] = "0123456789abcdef";
  uint64_t v = ((uint64_t)(id & 0xfffff) << 44) | (seq & 0xfffffffffffull);
  for (int i = HDR_LEN - 1; i >= 0; i--, v >>= 4) h[i] = hex[v & 15];
}

/* JSON-like text of exactly n bytes, compressible like real app traffic.
 * The 16-char id sits at the end (`"id":"…"}`) so a compressed message can
 * be a precomputed prefix plus a tiny stored block (see deflate_prefix). */
static void json_fill(char *t, int n) {
  int k = snprintf(t, n + 1, "{\"kind\":\"update\",\"items\":[");
  const char *end = "],\"pad\":\"\",\"id\":\"0123456789abcdef\"}";
  int endn = (int)strlen(end);
  for (int i = 0;; i++) {
    char item[128];
    int m = snprintf(item, sizeof item,
                     "{\"n\":%d,\"name\":\"item-%d\",\"price\":%d.%02d,"
                     "\"tags\":[\"red\",\"blue\"]},",
                     i, i * 7, 10 + i % 90, (i * 13) % 100);
    if (k + m + endn > n) break;
    memcpy(t + k, item, m);
    k += m;
  }
  if (t[k - 1] == ',') k--; /* no trailing comma: keep it valid JSON */
  memcpy(t + k, end, 9);    /* `],"pad":"` */
  k += 9;
  while (k < n - (endn - 9)) t[k++] = 'x';
  memcpy(t + k, end + 9, endn - 9);
}

/* Compresses the part before the id once per run. Each message is then this
 * prefix plus the id in a stored (uncompressed) block: valid RFC 7692 data
 * that references no earlier message, so the client spends no CPU on zlib
 * compression and cannot be the bottleneck of s6. A 512-byte window keeps
 * it valid whatever client_max_window_bits the server asks for. */
static void deflate_prefix(lg_t *g) {
  z_stream z = {0};
  size_t cap = g->hdr_off + 64;
  uint8_t *out = malloc(cap);
  deflateInit2(&z, 9, Z_DEFLATED, -9, 9, Z_DEFAULT_STRATEGY);
  z.next_in = g->tmpl;
  z.avail_in = g->hdr_off;
  z.next_out = out;
  z.avail_out = cap;
  deflate(&z, Z_SYNC_FLUSH); /* ends byte-aligned with 00 00 ff ff */
  g->zpre_len = cap - z.avail_out;
  deflateEnd(&z);
  g->zpre = malloc(g->zpre_len);
  for (size_t i = 0; i < g->zpre_len; i++) g->zpre[i] = out[i] ^ g->mask[i & 3];
  free(out);
}

void payload_init(lg_t *g) {
  int n = g->c.size;
  g->tmpl = malloc(n + 16);
  g->mtmpl = malloc(n + 16);
  int json = !strcmp(g->c.type, "json") && n >= 128;
  int bin = !strcmp(g->c.type, "binary");
  g->hdr_off = 0;
  if (json) {
    json_fill((char *)g->tmpl, n);
    g->hdr_off = n - HDR_LEN - 2;
    deflate_prefix(g);
  } else {
    for (int i = 0; i < n; i++) /* binary: every byte value, invalid UTF-8 */
      g->tmpl[i] = bin ? (uint8_t)(i * 31 + 7) : (uint8_t)(' ' + (i * 7) % 95);
  }
  for (int i = 0; i < n; i++) g->mtmpl[i] = g->tmpl[i] ^ g->mask[i & 3];
  g->icap = (size_t)n + 4096;
  g->ibuf = malloc(g->icap);
  /* Small reads for 10,000 idle sockets, big ones for 64 KiB messages. */
  size_t r = (size_t)n * 4;
  g->rsize = r < 16384 ? 16384 : r > (1 << 20) ? (1 << 20) : r;
}

/* Stored block: header byte, LEN, NLEN, id + `"}`, then the header byte of
 * the empty block whose 00 00 ff ff RFC 7692 has the sender strip. */
static void queue_compressed(lg_t *g, conn_t *c, int b0, const uint8_t *hdr) {
  uint8_t tail[24] = {0x00, 18, 0, 0xff - 18, 0xff};
  memcpy(tail + 5, hdr, HDR_LEN);
  memcpy(tail + 5 + HDR_LEN, "\"}", 2);
  tail[23] = 0x00;
  size_t n = g->zpre_len + sizeof tail;
  uint8_t fh[14];
  size_t k = ws_header(fh, b0 | 0x40, n, g->mask); /* RSV1: compressed */
  buf_reserve(&c->out, k + n);
  uint8_t *p = c->out.p + c->out.len;
  memcpy(p, fh, k);
  memcpy(p + k, g->zpre, g->zpre_len);
  for (size_t i = 0; i < sizeof tail; i++)
    p[k + g->zpre_len + i] = tail[i] ^ g->mask[(g->zpre_len + i) & 3];
  c->out.len += k + n;
}

/* Queues message `seq` on `c`; the pre-masked template makes it a memcpy. */
void payload_queue(lg_t *g, conn_t *c, uint64_t seq) {
  uint8_t hdr[HDR_LEN], fh[14];
  int b0 = 0x80 | (strcmp(g->c.type, "binary") ? 1 : 2);
  size_t n = g->c.size;
  stamp(hdr, c->id, seq);
  if (c->deflate && g->zpre) {
    queue_compressed(g, c, b0, hdr);
  } else {
    size_t k = ws_header(fh, b0, n, g->mask);
    buf_reserve(&c->out, k + n);
    uint8_t *p = c->out.p + c->out.len;
    memcpy(p, fh, k);
    memcpy(p + k, g->mtmpl, n);
    for (int i = 0; i < HDR_LEN; i++)
      p[k + g->hdr_off + i] = hdr[i] ^ g->mask[(g->hdr_off + i) & 3];
    c->out.len += k + n;
  }
  c->ts[seq % g->c.inflight] = now_ns();
}

int payload_check(lg_t *g, conn_t *c, int op, const uint8_t *d, size_t n,
                  uint64_t seq) {
  int want = strcmp(g->c.type, "binary") ? 1 : 2;
  uint8_t hdr[HDR_LEN];
  size_t size = g->c.size, h = g->hdr_off;
  if (op != want) {
    fail(g, "conn %d msg %llu: opcode %d, sent %d", c->id,
         (unsigned long long)seq, op, want);
    return -1;
  }
  if (n != size) {
    fail(g, "conn %d msg %llu: %zu bytes back, sent %zu", c->id,
         (unsigned long long)seq, n, size);
    return -1;
  }
  stamp(hdr, c->id, seq);
  if (memcmp(d + h, hdr, HDR_LEN)) {
    fail(g, "conn %d: got id %.16s, expected %.16s (lost, reordered or corrupt)",
         c->id, d + h, hdr);
    return -1;
  }
  if (memcmp(d, g->tmpl, h) ||
      memcmp(d + h + HDR_LEN, g->tmpl + h + HDR_LEN, size - h - HDR_LEN)) {
    fail(g, "conn %d msg %llu: payload bytes differ", c->id,
         (unsigned long long)seq);
    return -1;
  }
  return 0;
}

/* Reads the server's permessage-deflate answer and readies zlib. */
int pmd_setup(lg_t *g, conn_t *c, const char *ext) {
  if (!g->c.deflate || strncmp(ext, "permessage-deflate", 18)) {
    fail(g, "server chose an extension that was not offered: %s", ext);
    return -1;
  }
  c->srv_no_ctx = strstr(ext, "server_no_context_takeover") != NULL;
  if (c->z_ready) inflateEnd(&c->zi);
  memset(&c->zi, 0, sizeof c->zi);
  if (inflateInit2(&c->zi, -15) != Z_OK) {
    fail(g, "zlib init failed");
    return -1;
  }
  c->z_ready = 1;
  c->deflate = 1;
  return 0;
}

int pmd_inflate(lg_t *g, conn_t *c, const uint8_t *d, size_t n,
                const uint8_t **out, size_t *outn) {
  z_stream *z = &c->zi;
  z->next_out = g->ibuf;
  z->avail_out = g->icap;
  for (int pass = 0; pass < 2; pass++) { /* message, then the 4-byte tail */
    z->next_in = (uint8_t *)(pass ? TAIL : d);
    z->avail_in = pass ? 4 : n;
    int r = inflate(z, Z_SYNC_FLUSH);
    if (r != Z_OK && r != Z_BUF_ERROR) {
      fail(g, "conn %d: inflate error %d", c->id, r);
      return -1;
    }
    if (z->avail_in) {
      fail(g, "conn %d: inflated message too large", c->id);
      return -1;
    }
  }
  *out = g->ibuf;
  *outn = g->icap - z->avail_out;
  if (c->srv_no_ctx) inflateReset(z);
  return 0;
}
