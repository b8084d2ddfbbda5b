#ifndef NETSOCK_CNETSOCKLINUX_H
#define NETSOCK_CNETSOCKLINUX_H

// Linux headers that Swift's Glibc module does not export.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <pthread.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <net/if.h>

// pthread_setname_np needs _GNU_SOURCE, which the Glibc module is not built with.
int cnetsock_set_thread_name(pthread_t thread, const char *name);

// accept4(2) and struct ucred are _GNU_SOURCE too.
int cnetsock_accept4(int fd, int flags);
int cnetsock_accept4_address(int fd, struct sockaddr *address, socklen_t *length, int flags);
// rtnetlink sockets, kept in C so the kernel's netlink headers stay out of Swift's view.
int cnetsock_netlink_open(unsigned int groups, int nonblocking);
long cnetsock_netlink_send(int fd, const void *bytes, unsigned long length);

int cnetsock_peer_credentials(int fd, int *pid, unsigned int *uid, unsigned int *gid);
// SO_PEERGROUPS (Linux 4.13): the peer's supplementary groups when it connected.
// Fills at most *count gids; returns 0 and sets *count, or -1 with errno (ERANGE: *count is the size needed).
int cnetsock_peer_groups(int fd, unsigned int *groups, int *count);
// Sets the nice value of the calling thread only (setpriority on its gettid()).
int cnetsock_set_thread_nice(int nice);
// Raises the soft RLIMIT_NOFILE to the hard limit; returns the new soft limit, or -1.
long cnetsock_raise_nofile_limit(void);

#endif
