/* A minimal netcat for tests (the base image has none):
 *   nc -l ADDR PORT          accept one connection on ADDR:PORT, copy it to stdout
 *   nc [-e PROGRAM] ADDR PORT connect; with -e, run PROGRAM with the connection as stdin/out/err */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int usage(void) {
  fprintf(stderr, "usage: nc -l ADDR PORT | nc [-e PROGRAM] ADDR PORT\n");
  return 2;
}

int main(int argc, char **argv) {
  int listen_mode = 0;
  const char *program = NULL;
  int i = 1;
  for (; i < argc && argv[i][0] == '-'; i++) {
    if (strcmp(argv[i], "-l") == 0) listen_mode = 1;
    else if (strcmp(argv[i], "-e") == 0 && i + 1 < argc) program = argv[++i];
    else return usage();
  }
  if (argc - i != 2) return usage();
  struct sockaddr_in addr = {0};
  addr.sin_family = AF_INET;
  addr.sin_port = htons((unsigned short)atoi(argv[i + 1]));
  if (inet_pton(AF_INET, argv[i], &addr.sin_addr) != 1) return usage();
  int s = socket(AF_INET, SOCK_STREAM, 0);
  if (s < 0) {
    perror("nc: socket");
    return 1;
  }
  if (listen_mode) {
    int one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(s, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(s, 1) < 0) {
      perror("nc: listen");
      return 1;
    }
    int c = accept(s, NULL, NULL);
    if (c < 0) {
      perror("nc: accept");
      return 1;
    }
    char buf[4096];
    ssize_t n;
    while ((n = read(c, buf, sizeof buf)) > 0) fwrite(buf, 1, (size_t)n, stdout);
    return 0;
  }
  if (connect(s, (struct sockaddr *)&addr, sizeof addr) < 0) {
    perror("nc: connect");
    return 1;
  }
  if (program != NULL) {
    dup2(s, 0);
    dup2(s, 1);
    dup2(s, 2);
    execl(program, program, (char *)NULL);
    perror("nc: exec");
    return 1;
  }
  return 0;
}
