/**
 * A slow disk for tests and benches: an LD_PRELOAD shim that delays every fsync/fdatasync of the process by
 * $FT_EDGE_FSYNC_DELAY_MS (an SD card takes hundreds of ms). Built with the system's cc.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SOURCE = `#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>
static void pause_ms(void) {
  const char *v = getenv("FT_EDGE_FSYNC_DELAY_MS");
  long ms = v ? atol(v) : 0;
  struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
  if (ms > 0) nanosleep(&t, 0);
}
int fsync(int fd) { static int (*real)(int); if (!real) real = dlsym(RTLD_NEXT, "fsync"); pause_ms(); return real(fd); }
int fdatasync(int fd) { static int (*real)(int); if (!real) real = dlsym(RTLD_NEXT, "fdatasync"); pause_ms(); return real(fd); }
`;

/** Compiles the shim into `dir`; returns the .so path for LD_PRELOAD. */
export function buildSlowFsyncShim(dir: string): string {
  const so = join(dir, 'slow-fsync.so');
  writeFileSync(join(dir, 'slow-fsync.c'), SOURCE);
  execFileSync('cc', ['-shared', '-fPIC', '-O2', '-o', so, join(dir, 'slow-fsync.c'), '-ldl']);
  return so;
}
