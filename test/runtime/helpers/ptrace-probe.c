/* Uses ptrace the two ways rules watch for: PTRACE_TRACEME (anti-debugging) in a child, and
 * PTRACE_ATTACH to another process. */
#include <signal.h>
#include <stdio.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
  pid_t child = fork();
  if (child == 0) {
    ptrace(PTRACE_TRACEME, 0, NULL, NULL);
    pause();
    return 0;
  }
  pid_t sleeper = fork();
  if (sleeper == 0) {
    pause();
    return 0;
  }
  usleep(100000);
  if (ptrace(PTRACE_ATTACH, sleeper, NULL, NULL) == 0) {
    waitpid(sleeper, NULL, 0);
    ptrace(PTRACE_DETACH, sleeper, NULL, NULL);
  }
  kill(sleeper, SIGKILL);
  kill(child, SIGKILL);
  waitpid(sleeper, NULL, 0);
  waitpid(child, NULL, 0);
  return 0;
}
