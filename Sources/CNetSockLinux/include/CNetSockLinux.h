#ifndef NETSOCK_CNETSOCKLINUX_H
#define NETSOCK_CNETSOCKLINUX_H

// Linux headers that Swift's Glibc module does not export.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <pthread.h>

// pthread_setname_np needs _GNU_SOURCE, which the Glibc module is not built with.
int cnetsock_set_thread_name(pthread_t thread, const char *name);

// accept4(2) and struct ucred are _GNU_SOURCE too.
int cnetsock_accept4(int fd, int flags);
int cnetsock_peer_credentials(int fd, int *pid, unsigned int *uid, unsigned int *gid);

#endif
