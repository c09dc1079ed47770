/* Runs a program from an anonymous memory file (memfd_create + execveat), the fileless
 * execution technique: copies the program named by argv[1] into a memfd and executes it. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: memfd-exec PROGRAM [ARGS...]\n");
    return 2;
  }
  int src = open(argv[1], O_RDONLY);
  int mem = memfd_create("cerana-payload", 0);
  if (src < 0 || mem < 0) {
    perror("memfd-exec");
    return 1;
  }
  char buf[65536];
  ssize_t n;
  while ((n = read(src, buf, sizeof buf)) > 0) {
    if (write(mem, buf, (size_t)n) != n) {
      perror("memfd-exec: write");
      return 1;
    }
  }
  close(src);
  extern char **environ;
  syscall(SYS_execveat, mem, "", argv + 1, environ, AT_EMPTY_PATH);
  perror("memfd-exec: execveat");
  return 1;
}
