/* Opens a raw packet socket (layer 2), as ARP spoofing tools do. */
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void) {
  int s = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
  if (s < 0) {
    perror("packet-socket");
    return 1;
  }
  close(s);
  return 0;
}
