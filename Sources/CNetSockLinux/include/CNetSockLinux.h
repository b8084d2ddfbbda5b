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

// splice(2) and pipe2(2) are _GNU_SOURCE: moving payload between a socket and a pipe
// without copying it through user space.
long cnetsock_splice(int in, int out, unsigned long length, unsigned int more);
// A nonblocking, close-on-exec pipe grown towards `size` bytes (F_SETPIPE_SZ, trying
// smaller sizes when refused); returns 0 and the pipe's real size in *actual, or -1.
int cnetsock_pipe(int fds[2], int size, int *actual);

// One sendmsg of `length` bytes carrying `count` descriptors (SCM_RIGHTS), MSG_NOSIGNAL|MSG_DONTWAIT.
long cnetsock_send_with_fds(int fd, const void *bytes, unsigned long length, const int *fds, int count);
// One recvmsg with MSG_CMSG_CLOEXEC: up to `capacity` received descriptors land in `fds`
// and their number in *count; *truncated is set when the kernel dropped some (MSG_CTRUNC).
long cnetsock_receive_with_fds(int fd, void *bytes, unsigned long length, int *fds, int capacity, int *count, int *truncated);

// Batched datagrams (recvmmsg/sendmmsg are _GNU_SOURCE). Slot i starts at
// base + i*stride; receive fills up to `capacity` bytes there and sets lengths[i];
// send takes lengths[i] bytes from there. Addresses are sockaddr_storage slots with
// their lengths; a send address length of 0 goes to the connected peer. At most 64.
int cnetsock_recvmmsg(int fd, unsigned char *base, int stride, int capacity, int count, int *lengths,
                      struct sockaddr_storage *addresses, unsigned int *address_lengths);
int cnetsock_sendmmsg(int fd, const unsigned char *base, int stride, int count, const int *lengths,
                      const struct sockaddr_storage *addresses, const unsigned int *address_lengths);

// posix_spawn_file_actions_addclosefrom_np (glibc 2.34) is a _GNU_SOURCE/misc extension.
#include <spawn.h>
int cnetsock_spawn_close_from(posix_spawn_file_actions_t *actions, int from);

/* The f_type statfs(2) gives for path (NSFS_MAGIC for a namespace's bind mount), or -1. */
long cnetsock_filesystem_type(const char *path);

// Attaches to (creating if needed) the TAP device `name`, without packet information,
// nonblocking and close-on-exec. Writes the kernel's name for it (IFNAMSIZ bytes) to
// `actual`. Returns the descriptor or -errno.
/* Opens (creating if missing) the TAP device `name`. With `offload` not 0, frames carry
   a virtio-net header and the kernel is offered checksum offload (bit 1) and TCPv4
   segmentation offload (bit 2); `offloads` receives the bits it took. */
int cnetsock_tap_open(const char *name, char *actual, int offload, int *offloads);
/* Opens a pseudo-terminal's controller side (posix_openpt, grantpt, unlockpt) and writes
   its device side's path into `name`; the fd, or -errno. */
int cnetsock_pty_open(char *name, unsigned long size);
/* The virtio-net header that leads each frame on a TAP opened with offload. */
struct cnetsock_virtio_header {
    unsigned char flags;
    unsigned char gso_type;
    unsigned short header_length;
    unsigned short gso_size;
    unsigned short checksum_start;
    unsigned short checksum_offset;
};

// An AF_PACKET raw socket bound to device `index` for every protocol, that does not
// see its own outgoing frames; `promiscuous` adds a promiscuous membership (for a
// hardware address of our own). With `offloads`, every frame each way leads with a
// virtio-net header (PACKET_VNET_HDR), as on a TAP opened for offloads; `*offloaded`
// says whether the kernel took that. Returns the descriptor or -errno.
int cnetsock_packet_open(int index, int promiscuous, int offloads, int *offloaded);

// Receives one frame from a packet socket opened above; `*unfinished` is set when the
// kernel left its transport checksum for offload (TP_STATUS_CSUMNOTREADY). Returns the
// frame's length or -errno.
long cnetsock_packet_receive(int fd, void *bytes, unsigned long length, int *unfinished);

// The hardware address (6 bytes) and MTU of a device; 0 or -errno.
int cnetsock_device_info(const char *name, unsigned char *hardware, int *mtu, int *index);

// Moves the calling thread into the network namespace at `path` (/run/netns/NAME);
// sockets it opens afterwards live there. 0 or -errno.
int cnetsock_enter_network_namespace(const char *path);

// Reads and discards every datagram waiting on a nonblocking socket (recvmmsg, 64 at a
// time); returns how many, or -errno.
long cnetsock_drain_datagrams(int fd);

#endif
