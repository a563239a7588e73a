/* Clocks, CPU time (ours and the server's) and RSS from /proc. */
#include "loadgen.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000ull + t.tv_nsec;
}

double cpu_self_s(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec +
         (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

/* utime + stime of the whole process (all its threads), or -1. */
double cpu_pid_s(int pid) {
  if (pid <= 0) return -1;
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  char *p = strrchr(buf, ')'); /* the command name may contain spaces */
  if (!p) return -1;
  unsigned long ut = 0, st = 0;
  /* fields after ')': state(3) ... utime(14) stime(15) */
  if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut,
             &st) != 2)
    return -1;
  return (double)(ut + st) / sysconf(_SC_CLK_TCK);
}

long rss_kb(int pid) {
  char path[64], line[256];
  long kb = -1;
  snprintf(path, sizeof path, "/proc/%d/status", pid);
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "VmRSS: %ld kB", &kb) == 1) break;
  fclose(f);
  return kb;
}

/* Percentile in microseconds from the 1 us histogram. */
double hist_pct(const uint32_t *h, uint64_t total, double pct) {
  if (!total) return 0;
  uint64_t want = (uint64_t)(total * pct / 100.0), seen = 0;
  if (want >= total) want = total - 1;
  for (uint32_t i = 0; i < HIST_MAX; i++) {
    seen += h[i];
    if (seen > want) return i;
  }
  return HIST_MAX;
}

/* CPU seconds all processes used (first line of /proc/stat), steal
 * included: time the hypervisor gave to others slows us down too. */
double cpu_all_s(void) {
  unsigned long long v[8] = {0};
  FILE *f = fopen("/proc/stat", "r");
  if (!f) return -1;
  int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
                 &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
  fclose(f);
  if (n != 8) return -1;
  /* user nice system [idle iowait] irq softirq steal */
  return (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) /
         sysconf(_SC_CLK_TCK);
}
