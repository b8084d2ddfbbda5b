#define _GNU_SOURCE
#include <sys/vfs.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <pthread.h>
#include <sys/socket.h>
#include <string.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <fcntl.h>
#include <errno.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sched.h>
#include <linux/if_tun.h>
#include <linux/if_packet.h>
#include <linux/if_ether.h>
#include <net/if.h>
#include <arpa/inet.h>
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

int cnetsock_peer_groups(int fd, unsigned int *groups, int *count) {
#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS 59
#endif
    socklen_t length = (socklen_t)(*count * sizeof(gid_t));
    int result = getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &length);
    *count = (int)(length / sizeof(gid_t));
    return result;
}

long cnetsock_raise_nofile_limit(void) {
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return -1;
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &limit) != 0) return -1;
    }
    return (long)limit.rlim_cur;
}

int cnetsock_accept4_address(int fd, struct sockaddr *address, socklen_t *length, int flags) {
    return accept4(fd, address, length, flags);
}

int cnetsock_netlink_open(unsigned int groups, int nonblocking) {
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0), NETLINK_ROUTE);
    if (fd < 0) return -1;
    struct sockaddr_nl address;
    memset(&address, 0, sizeof(address));
    address.nl_family = AF_NETLINK;
    address.nl_groups = groups;
    if (bind(fd, (struct sockaddr *)&address, sizeof(address)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

long cnetsock_netlink_send(int fd, const void *bytes, unsigned long length) {
    struct sockaddr_nl kernel;
    memset(&kernel, 0, sizeof(kernel));
    kernel.nl_family = AF_NETLINK;
    return sendto(fd, bytes, length, 0, (struct sockaddr *)&kernel, sizeof(kernel));
}

int cnetsock_set_thread_nice(int nice) {
    return setpriority(PRIO_PROCESS, (id_t)gettid(), nice);
}

long cnetsock_splice(int in, int out, unsigned long length, unsigned int more) {
    return splice(in, NULL, out, NULL, length, SPLICE_F_MOVE | SPLICE_F_NONBLOCK | (more ? SPLICE_F_MORE : 0));
}

int cnetsock_pipe(int fds[2], int size, int *actual) {
    if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) return -1;
    for (int want = size; want >= 65536; want /= 2) {
        if (fcntl(fds[1], F_SETPIPE_SZ, want) >= 0) break;
    }
    int real = fcntl(fds[1], F_GETPIPE_SZ);
    *actual = real > 0 ? real : 65536;
    return 0;
}

long cnetsock_send_with_fds(int fd, const void *bytes, unsigned long length, const int *fds, int count) {
    struct iovec vector = {(void *)bytes, length};
    struct msghdr message;
    memset(&message, 0, sizeof(message));
    message.msg_iov = &vector;
    message.msg_iovlen = 1;
    char control[CMSG_SPACE(sizeof(int) * 16)];
    if (count > 16) {
        errno = EINVAL;
        return -1;
    }
    if (count > 0) {
        memset(control, 0, sizeof(control));
        message.msg_control = control;
        message.msg_controllen = CMSG_SPACE(sizeof(int) * count);
        struct cmsghdr *header = CMSG_FIRSTHDR(&message);
        header->cmsg_level = SOL_SOCKET;
        header->cmsg_type = SCM_RIGHTS;
        header->cmsg_len = CMSG_LEN(sizeof(int) * count);
        memcpy(CMSG_DATA(header), fds, sizeof(int) * count);
    }
    return sendmsg(fd, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
}

long cnetsock_receive_with_fds(int fd, void *bytes, unsigned long length, int *fds, int capacity, int *count, int *truncated) {
    struct iovec vector = {bytes, length};
    struct msghdr message;
    memset(&message, 0, sizeof(message));
    message.msg_iov = &vector;
    message.msg_iovlen = 1;
    char control[CMSG_SPACE(sizeof(int) * 253)];
    message.msg_control = control;
    message.msg_controllen = sizeof(control);
    long received = recvmsg(fd, &message, MSG_CMSG_CLOEXEC);
    *count = 0;
    *truncated = (message.msg_flags & MSG_CTRUNC) != 0;
    if (received < 0) return received;
    for (struct cmsghdr *header = CMSG_FIRSTHDR(&message); header; header = CMSG_NXTHDR(&message, header)) {
        if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS) continue;
        int n = (int)((header->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        int *passed = (int *)CMSG_DATA(header);
        for (int i = 0; i < n; i++) {
            if (*count < capacity) {
                fds[(*count)++] = passed[i];
            } else {
                close(passed[i]);
                *truncated = 1;
            }
        }
    }
    return received;
}

int cnetsock_recvmmsg(int fd, unsigned char *base, int stride, int capacity, int count, int *lengths,
                      struct sockaddr_storage *addresses, unsigned int *address_lengths) {
    struct mmsghdr messages[64];
    struct iovec vectors[64];
    if (count > 64) count = 64;
    memset(messages, 0, sizeof(struct mmsghdr) * count);
    for (int i = 0; i < count; i++) {
        vectors[i].iov_base = base + (long)i * stride;
        vectors[i].iov_len = capacity;
        messages[i].msg_hdr.msg_iov = &vectors[i];
        messages[i].msg_hdr.msg_iovlen = 1;
        if (addresses) {
            messages[i].msg_hdr.msg_name = &addresses[i];
            messages[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_storage);
        }
    }
    int received = recvmmsg(fd, messages, count, MSG_DONTWAIT, NULL);
    for (int i = 0; i < received; i++) {
        lengths[i] = (int)messages[i].msg_len;
        if (addresses && address_lengths) address_lengths[i] = messages[i].msg_hdr.msg_namelen;
    }
    return received;
}

int cnetsock_sendmmsg(int fd, const unsigned char *base, int stride, int count, const int *lengths,
                      const struct sockaddr_storage *addresses, const unsigned int *address_lengths) {
    struct mmsghdr messages[64];
    struct iovec vectors[64];
    if (count > 64) count = 64;
    memset(messages, 0, sizeof(struct mmsghdr) * count);
    for (int i = 0; i < count; i++) {
        vectors[i].iov_base = (void *)(base + (long)i * stride);
        vectors[i].iov_len = lengths[i];
        messages[i].msg_hdr.msg_iov = &vectors[i];
        messages[i].msg_hdr.msg_iovlen = 1;
        if (addresses && address_lengths && address_lengths[i] > 0) {
            messages[i].msg_hdr.msg_name = (void *)&addresses[i];
            messages[i].msg_hdr.msg_namelen = address_lengths[i];
        }
    }
    return sendmmsg(fd, messages, count, MSG_DONTWAIT | MSG_NOSIGNAL);
}

int cnetsock_spawn_close_from(posix_spawn_file_actions_t *actions, int from) {
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
}

long cnetsock_filesystem_type(const char *path) {
    struct statfs info;
    if (statfs(path, &info) != 0) return -1;
    return (long)info.f_type;
}

_Static_assert(sizeof(struct cnetsock_virtio_header) == 10, "virtio_net_hdr is 10 bytes");

int cnetsock_tap_open(const char *name, char *actual, int offload, int *offloads) {
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return -errno;
    struct ifreq request;
    memset(&request, 0, sizeof request);
    request.ifr_flags = IFF_TAP | IFF_NO_PI | (offload ? IFF_VNET_HDR : 0);
    strncpy(request.ifr_name, name, IFNAMSIZ - 1);
    if (ioctl(fd, TUNSETIFF, &request) < 0) {
        int error = errno;
        close(fd);
        return -error;
    }
    memcpy(actual, request.ifr_name, IFNAMSIZ);
    *offloads = 0;
    if (offload) {
        /* The header is 10 bytes (no merged buffers), little-endian on every host we run on. */
        int size = (int)sizeof(struct cnetsock_virtio_header);
        if (ioctl(fd, TUNSETVNETHDRSZ, &size) < 0) {
            int error = errno;
            close(fd);
            return -error;
        }
        if ((offload & 2) && ioctl(fd, TUNSETOFFLOAD, (unsigned long)(TUN_F_CSUM | TUN_F_TSO4)) == 0) {
            *offloads = 3;
        } else if (ioctl(fd, TUNSETOFFLOAD, (unsigned long)TUN_F_CSUM) == 0) {
            *offloads = 1;
        }
    }
    return fd;
}

int cnetsock_packet_open(int index, int promiscuous, int offloads, int *offloaded) {
    // Protocol 0 until bound: a socket made with ETH_P_ALL would queue every device's
    // frames in the moment before bind names ours.
    int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    struct sockaddr_ll address;
    memset(&address, 0, sizeof address);
    address.sll_family = AF_PACKET;
    address.sll_protocol = htons(ETH_P_ALL);
    address.sll_ifindex = index;
    int one = 1;
    if (bind(fd, (struct sockaddr *)&address, sizeof address) < 0
        || setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one) < 0
        || setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof one) < 0) {
        int error = errno;
        close(fd);
        return -error;
    }
    // Checksums left partial and TCP in 64 KB packets, segmented by the kernel (GSO)
    // on the way out; a kernel without it gets plain frames.
    *offloaded = offloads && setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof one) == 0;
    if (promiscuous) {
        struct packet_mreq membership;
        memset(&membership, 0, sizeof membership);
        membership.mr_ifindex = index;
        membership.mr_type = PACKET_MR_PROMISC;
        if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &membership, sizeof membership) < 0) {
            int error = errno;
            close(fd);
            return -error;
        }
    }
    return fd;
}

int cnetsock_device_info(const char *name, unsigned char *hardware, int *mtu, int *index) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    struct ifreq request;
    memset(&request, 0, sizeof request);
    strncpy(request.ifr_name, name, IFNAMSIZ - 1);
    int result = 0;
    if (ioctl(fd, SIOCGIFHWADDR, &request) < 0) { result = -errno; goto done; }
    memcpy(hardware, request.ifr_hwaddr.sa_data, 6);
    if (ioctl(fd, SIOCGIFMTU, &request) < 0) { result = -errno; goto done; }
    *mtu = request.ifr_mtu;
    if (ioctl(fd, SIOCGIFINDEX, &request) < 0) { result = -errno; goto done; }
    *index = request.ifr_ifindex;
done:
    close(fd);
    return result;
}

long cnetsock_packet_receive(int fd, void *bytes, unsigned long length, int *unfinished) {
    union {
        struct cmsghdr header;
        char space[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
    } control;
    struct iovec vector = { bytes, length };
    struct msghdr message;
    memset(&message, 0, sizeof message);
    message.msg_iov = &vector;
    message.msg_iovlen = 1;
    message.msg_control = &control;
    message.msg_controllen = sizeof control;
    long count;
    do { count = recvmsg(fd, &message, 0); } while (count < 0 && errno == EINTR);
    if (count < 0) return -errno;
    *unfinished = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&message); c; c = CMSG_NXTHDR(&message, c)) {
        if (c->cmsg_level == SOL_PACKET && c->cmsg_type == PACKET_AUXDATA) {
            struct tpacket_auxdata aux;
            memcpy(&aux, CMSG_DATA(c), sizeof aux);
            if (aux.tp_status & TP_STATUS_CSUMNOTREADY) *unfinished = 1;
        }
    }
    return count;
}

int cnetsock_enter_network_namespace(const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
    int result = setns(fd, CLONE_NEWNET);
    int error = errno;
    close(fd);
    return result == 0 ? 0 : -error;
}

long cnetsock_drain_datagrams(int fd) {
    static unsigned char buffers[64][2048];
    struct mmsghdr messages[64];
    struct iovec vectors[64];
    long total = 0;
    for (;;) {
        memset(messages, 0, sizeof messages);
        for (int i = 0; i < 64; i++) {
            vectors[i].iov_base = buffers[i];
            vectors[i].iov_len = sizeof buffers[i];
            messages[i].msg_hdr.msg_iov = &vectors[i];
            messages[i].msg_hdr.msg_iovlen = 1;
        }
        int count = recvmmsg(fd, messages, 64, MSG_DONTWAIT, NULL);
        if (count < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return total;
            return -errno;
        }
        total += count;
        if (count < 64) return total;
    }
}

int cnetsock_pty_open(char *name, unsigned long size) {
    int fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) return -errno;
    if (grantpt(fd) != 0 || unlockpt(fd) != 0 || ptsname_r(fd, name, size) != 0) {
        int error = errno;
        close(fd);
        return -error;
    }
    return fd;
}
