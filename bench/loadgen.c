/* denosocket load generator: drives a ws:// echo server on loopback and
 * prints one JSON object. Built by bench/build_loadgen.ts at bench time.
 *
 *   loadgen echo|handshake|idle --port P --key K --accept A [options]
 *
 * Every reply is checked byte for byte; the first mismatch, drop or
 * unexpected close ends the run with "ok": false and the reason. */
#include "loadgen.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/resource.h>

static char out[4096];
static size_t outn;

void out_num(const char *k, double v) {
  outn += snprintf(out + outn, sizeof out - outn, ",\"%s\":%.6g", k, v);
}

/* Values are ours or error text: escape quotes and backslashes only. */
void out_str(const char *k, const char *v) {
  outn += snprintf(out + outn, sizeof out - outn, ",\"%s\":\"", k);
  for (; *v && outn < sizeof out - 8; v++) {
    if (*v == '"' || *v == '\\') out[outn++] = '\\';
    out[outn++] = (*v >= 32) ? *v : ' ';
  }
  outn += snprintf(out + outn, sizeof out - outn, "\"");
}

static void usage(void) {
  fprintf(stderr,
          "usage: loadgen echo|handshake|idle --port P --key K --accept A\n"
          "  [--host H] [--path /echo] [--pid SERVER_PID]\n"
          "  echo: --conns N --inflight K --size B --type text|binary|json\n"
          "        [--deflate] --warmup S --duration S\n"
          "  handshake: --total N --concurrency C [--warmup S] [--any-close]\n"
          "  idle: --conns N --concurrency C --hold S [--use]\n");
  exit(2);
}

static void parse(cfg_t *c, int argc, char **argv) {
  static struct option o[] = {
      {"port", 1, 0, 'p'},     {"host", 1, 0, 'h'},     {"path", 1, 0, 'P'},
      {"key", 1, 0, 'k'},      {"accept", 1, 0, 'a'},   {"pid", 1, 0, 'i'},
      {"conns", 1, 0, 'c'},    {"inflight", 1, 0, 'f'}, {"size", 1, 0, 's'},
      {"type", 1, 0, 't'},     {"deflate", 0, 0, 'z'},  {"warmup", 1, 0, 'w'},
      {"duration", 1, 0, 'd'}, {"total", 1, 0, 'T'},    {"hold", 1, 0, 'H'},
      {"concurrency", 1, 0, 'C'}, {"use", 0, 0, 'u'},
      {"any-close", 0, 0, 'y'},   {0, 0, 0, 0}};
  *c = (cfg_t){.host = "127.0.0.1", .path = "/echo", .type = "text",
               .conns = 1, .inflight = 1, .size = 32, .duration = 1,
               .total = 100, .concurrency = 50, .hold = 0.5};
  if (argc < 2) usage();
  c->mode = argv[1];
  int ch;
  optind = 2;
  while ((ch = getopt_long(argc, argv, "", o, NULL)) != -1) {
    switch (ch) {
    case 'p': c->port = atoi(optarg); break;
    case 'h': c->host = optarg; break;
    case 'P': c->path = optarg; break;
    case 'k': c->key = optarg; break;
    case 'a': c->accept = optarg; break;
    case 'i': c->pid = atoi(optarg); break;
    case 'c': c->conns = atoi(optarg); break;
    case 'f': c->inflight = atoi(optarg); break;
    case 's': c->size = atoi(optarg); break;
    case 't': c->type = optarg; break;
    case 'z': c->deflate = 1; break;
    case 'w': c->warmup = atof(optarg); break;
    case 'd': c->duration = atof(optarg); break;
    case 'T': c->total = atoi(optarg); break;
    case 'C': c->concurrency = atoi(optarg); break;
    case 'H': c->hold = atof(optarg); break;
    case 'u': c->use = 1; break;
    case 'y': c->any_close = 1; break;
    default: usage();
    }
  }
  if (!c->port || !c->key || !c->accept || c->size < HDR_LEN + 16 ||
      c->conns < 1 || c->inflight < 1 || c->concurrency < 1)
    usage();
}

int main(int argc, char **argv) {
  static lg_t g;
  parse(&g.c, argc, argv);
  /* 10,000 sockets need more than the usual 1024 descriptors. */
  struct rlimit rl;
  getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);
  /* One random mask key per run: unpredictable enough for a benchmark and
   * it lets the payload template be masked once instead of per message. */
  do getrandom(g.mask, 4, 0);
  while (!(g.mask[0] | g.mask[1] | g.mask[2] | g.mask[3]));
  g.ep = epoll_create1(EPOLL_CLOEXEC);
  g.hist = calloc(HIST_MAX, sizeof *g.hist);
  payload_init(&g);
  int r;
  if (!strcmp(g.c.mode, "echo")) r = mode_echo(&g);
  else if (!strcmp(g.c.mode, "handshake")) r = mode_handshake(&g);
  else if (!strcmp(g.c.mode, "idle")) r = mode_idle(&g);
  else usage();
  if (g.err[0]) out_str("error", g.err);
  printf("{\"ok\":%s%s}\n", r == 0 && !g.err[0] ? "true" : "false", out);
  return 0;
}
