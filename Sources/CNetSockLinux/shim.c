#define _GNU_SOURCE
#include <pthread.h>
#include <sys/socket.h>
#include "CNetSockLinux.h"

int cnetsock_set_thread_name(pthread_t thread, const char *name) {
    return pthread_setname_np(thread, name);
}

int cnetsock_accept4(int fd, int flags) {
    return accept4(fd, NULL, NULL, flags);
}

int cnetsock_peer_credentials(int fd, int *pid, unsigned int *uid, unsigned int *gid) {
    struct ucred credentials;
    socklen_t length = sizeof(credentials);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0) return -1;
    *pid = credentials.pid;
    *uid = credentials.uid;
    *gid = credentials.gid;
    return 0;
}
