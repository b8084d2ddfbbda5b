/*
 * lwip_tap_sink.c - drive Debian's liblwip (2.1.3, NO_SYS=0 build) over a
 * Linux TAP device and serve TCP discard / echo / source ports with the raw
 * (callback) TCP API.
 *
 * Two driver modes:
 *   -m own   (default) our own TAP code (/dev/net/tun, IFF_TAP|IFF_NO_PI),
 *            lwip_init() only, everything in ONE thread, NO_SYS-style loop:
 *            poll(tap fd) -> netif->input -> sys_check_timeouts().
 *   -m thread our own TAP code, but lwIP runs in the library's tcpip thread
 *            (tcpip_init); a reader thread of ours hands frames over with
 *            tcpip_input(). This is the threaded (NO_SYS=0) use of the library.
 *   -m tapif the library's tapif_init() (reader thread, name taken from
 *            $PRECONFIGURED_TAPIF) + tcpip_init(). BROKEN with Debian's
 *            liblwip0 2.1.3+dfsg1-2: tapif receives into PBUF_POOL pbufs and
 *            that build's memp PBUF_POOL element is 616 bytes while pbuf.c
 *            assumes 1536 -> heap overflow on any frame > ~590 bytes.
 *            Kept only to demonstrate the problem.
 *
 * Usage: lwip_tap_sink [opts] IFNAME IPADDR
 *   -m own|thread|tapif   driver mode (default own)
 *   -n NETMASK     default 255.255.255.0
 *   -g GATEWAY     default 0.0.0.0
 *   -d PORT        discard port (default 5001, 0 = off)
 *   -e PORT        echo port    (default 5002, 0 = off)
 *   -s PORT        source port: lwIP sends zeros as fast as it can (default 5003, 0 = off)
 *   -i SECONDS     stats interval on stderr (default 1, 0 = off)
 *   -t SECONDS     exit after this long (default 0 = run until SIGINT/SIGTERM)
 *   -q             quiet: only print READY and the final summary
 *
 * Prints "READY <ip>" on stdout (flushed) when listening; final totals on exit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <linux/if.h>
#include <linux/if_tun.h>

#include "lwip/opt.h"
#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "lwip/timeouts.h"
#include "lwip/tcpip.h"
#include "lwip/etharp.h"
#include "lwip/ethip6.h"
#include "netif/ethernet.h"
#include "netif/tapif.h"

#define FRAME_MAX 1518 /* 1500 MTU + 14 Ethernet header + slack for VLAN tag */

enum kind { K_DISCARD, K_ECHO, K_SOURCE };

struct conn {
  enum kind kind;
  struct tcp_pcb *pcb;
  struct pbuf *pend; /* echo: received data not yet queued for sending */
  u16_t pend_off;
  int closing;
};

/* statistics (updated in the lwIP context; relaxed atomics so the main thread
 * can read them in tapif mode) */
static uint64_t st_discard, st_echo, st_source, st_accepts, st_rx_frames, st_tx_frames, st_tx_err;
#define ADD(v, n) __atomic_fetch_add(&(v), (uint64_t)(n), __ATOMIC_RELAXED)
#define GET(v) __atomic_load_n(&(v), __ATOMIC_RELAXED)

static volatile sig_atomic_t stop_flag;
static int tap_fd = -1;
static struct netif nif;
static u8_t src_buf[16384]; /* zeros served by the source port (no-copy writes) */

static double now_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------ TCP */

static void conn_free(struct conn *c)
{
  if (c->pend)
    pbuf_free(c->pend);
  free(c);
}

static void conn_close(struct conn *c)
{
  struct tcp_pcb *pcb = c->pcb;
  tcp_arg(pcb, NULL);
  tcp_recv(pcb, NULL);
  tcp_sent(pcb, NULL);
  tcp_err(pcb, NULL);
  conn_free(c);
  if (tcp_close(pcb) != ERR_OK)
    tcp_abort(pcb);
}

/* Queue as much pending echo data as the send buffer takes. Data is only
 * acknowledged to the receive window (tcp_recved) once queued, so a slow
 * reader throttles the sender. Returns ERR_ABRT if the pcb was aborted. */
static err_t echo_flush(struct conn *c)
{
  while (c->pend) {
    struct pbuf *q = c->pend;
    u16_t avail = q->len - c->pend_off;
    u16_t space = tcp_sndbuf(c->pcb);
    u16_t n;
    err_t e;
    if (avail == 0) {
      goto next;
    }
    if (space == 0)
      break;
    n = avail < space ? avail : space;
    e = tcp_write(c->pcb, (u8_t *)q->payload + c->pend_off, n,
                  TCP_WRITE_FLAG_COPY | (q->next ? TCP_WRITE_FLAG_MORE : 0));
    if (e == ERR_MEM)
      break;
    if (e != ERR_OK) {
      struct tcp_pcb *pcb = c->pcb;
      tcp_arg(pcb, NULL);
      conn_free(c);
      tcp_abort(pcb);
      return ERR_ABRT;
    }
    c->pend_off += n;
    tcp_recved(c->pcb, n);
    ADD(st_echo, n);
    if (c->pend_off < q->len)
      break;
  next:
    c->pend = q->next;
    if (c->pend)
      pbuf_ref(c->pend);
    pbuf_free(q);
    c->pend_off = 0;
  }
  tcp_output(c->pcb);
  if (c->closing && c->pend == NULL) {
    conn_close(c);
  }
  return ERR_OK;
}

static void source_fill(struct conn *c)
{
  for (;;) {
    u16_t space = tcp_sndbuf(c->pcb);
    u16_t n = space < sizeof(src_buf) ? space : (u16_t)sizeof(src_buf);
    if (n < TCP_MSS && space < TCP_SND_BUF / 4)
      break; /* wait for a decent amount of room */
    if (n == 0)
      break;
    /* flags 0: no copy, the pbuf references src_buf (static, never changes) */
    if (tcp_write(c->pcb, src_buf, n, TCP_WRITE_FLAG_MORE) != ERR_OK)
      break;
    ADD(st_source, n);
  }
  tcp_output(c->pcb);
}

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
  struct conn *c = arg;
  (void)err;
  if (c == NULL) { /* state already gone */
    if (p) {
      tcp_recved(pcb, p->tot_len);
      pbuf_free(p);
    }
    return ERR_OK;
  }
  if (p == NULL) { /* peer sent FIN */
    if (c->kind == K_ECHO && c->pend) {
      c->closing = 1;
      return echo_flush(c);
    }
    conn_close(c);
    return ERR_OK;
  }
  switch (c->kind) {
  case K_ECHO:
    if (c->pend)
      pbuf_cat(c->pend, p);
    else {
      c->pend = p;
      c->pend_off = 0;
    }
    return echo_flush(c);
  case K_DISCARD:
    ADD(st_discard, p->tot_len);
    /* fall through */
  default:
    tcp_recved(pcb, p->tot_len);
    pbuf_free(p);
    return ERR_OK;
  }
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
  struct conn *c = arg;
  (void)pcb;
  (void)len;
  if (c == NULL)
    return ERR_OK;
  if (c->kind == K_ECHO)
    return echo_flush(c);
  if (c->kind == K_SOURCE)
    source_fill(c);
  return ERR_OK;
}

static void on_err(void *arg, err_t err)
{
  (void)err; /* pcb is already freed by lwIP here */
  if (arg)
    conn_free(arg);
}

static err_t on_accept(void *arg, struct tcp_pcb *newpcb, err_t err)
{
  struct conn *c;
  if (err != ERR_OK || newpcb == NULL)
    return ERR_VAL;
  c = calloc(1, sizeof(*c));
  if (c == NULL)
    return ERR_MEM;
  c->kind = (enum kind)(intptr_t)arg;
  c->pcb = newpcb;
  ADD(st_accepts, 1);
  tcp_arg(newpcb, c);
  tcp_recv(newpcb, on_recv);
  tcp_sent(newpcb, on_sent);
  tcp_err(newpcb, on_err);
  tcp_nagle_disable(newpcb);
  if (c->kind == K_SOURCE)
    source_fill(c);
  return ERR_OK;
}

static int listen_on(u16_t port, enum kind k)
{
  struct tcp_pcb *pcb, *lpcb;
  if (port == 0)
    return 0;
  pcb = tcp_new_ip_type(IPADDR_TYPE_V4);
  if (pcb == NULL)
    return -1;
  if (tcp_bind(pcb, IP4_ADDR_ANY, port) != ERR_OK) {
    tcp_close(pcb);
    return -1;
  }
  lpcb = tcp_listen(pcb);
  if (lpcb == NULL)
    return -1;
  tcp_arg(lpcb, (void *)(intptr_t)k);
  tcp_accept(lpcb, on_accept);
  return 0;
}

/* --------------------------------------------------------- own TAP driver */

static int tap_open(const char *name)
{
  struct ifreq ifr;
  int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    perror("open /dev/net/tun");
    return -1;
  }
  memset(&ifr, 0, sizeof(ifr));
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
    perror("TUNSETIFF");
    close(fd);
    return -1;
  }
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

static err_t tap_linkoutput(struct netif *n, struct pbuf *p)
{
  struct iovec iov[16];
  int cnt = 0;
  struct pbuf *q;
  ssize_t w;
  (void)n;
  for (q = p; q != NULL && cnt < 16; q = q->next) {
    iov[cnt].iov_base = q->payload;
    iov[cnt].iov_len = q->len;
    cnt++;
  }
  if (q != NULL) { /* absurdly long chain: flatten */
    static u8_t flat[FRAME_MAX + 64];
    u16_t len = pbuf_copy_partial(p, flat, sizeof(flat), 0);
    w = write(tap_fd, flat, len);
  } else {
    w = writev(tap_fd, iov, cnt);
  }
  if (w < 0) {
    ADD(st_tx_err, 1);
    return ERR_IF;
  }
  ADD(st_tx_frames, 1);
  return ERR_OK;
}

static err_t tap_netif_init(struct netif *n)
{
  const ip4_addr_t *ip = netif_ip4_addr(n);
  u32_t a = lwip_ntohl(ip4_addr_get_u32(ip));
  n->name[0] = 't';
  n->name[1] = 'p';
  n->output = etharp_output;
#if LWIP_IPV6
  n->output_ip6 = ethip6_output;
#endif
  n->linkoutput = tap_linkoutput;
  n->mtu = 1500;
  n->hwaddr_len = ETH_HWADDR_LEN;
  /* locally administered MAC derived from the IPv4 address */
  n->hwaddr[0] = 0x02;
  n->hwaddr[1] = 0x4c;
  n->hwaddr[2] = (a >> 24) & 0xff;
  n->hwaddr[3] = (a >> 16) & 0xff;
  n->hwaddr[4] = (a >> 8) & 0xff;
  n->hwaddr[5] = a & 0xff;
  n->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
  return ERR_OK;
}

/* read up to `budget` queued frames from the TAP fd and feed them to lwIP;
 * returns 1 if the budget ran out (more frames are probably waiting). The
 * budget keeps timers (delayed ACK, RTO) and stats running under a flood. */
static int tap_drain(int budget)
{
  for (; budget > 0; budget--) {
    struct pbuf *p = pbuf_alloc(PBUF_RAW, FRAME_MAX, PBUF_RAM);
    ssize_t r;
    if (p == NULL)
      return 0;
    r = read(tap_fd, p->payload, FRAME_MAX);
    if (r <= 0) {
      pbuf_free(p);
      if (r < 0 && errno != EAGAIN && errno != EINTR)
        perror("tap read");
      return 0;
    }
    pbuf_realloc(p, (u16_t)r); /* PBUF_RAM: shrinks in place */
    ADD(st_rx_frames, 1);
    if (nif.input(p, &nif) != ERR_OK)
      pbuf_free(p);
  }
  return 1;
}

/* reader thread for -m thread: blocking reads, PBUF_RAM (never PBUF_POOL,
 * see above), frames queued to the tcpip thread */
#include <pthread.h>
static void *tap_reader(void *arg)
{
  (void)arg;
  for (;;) {
    struct pollfd pfd = { .fd = tap_fd, .events = POLLIN };
    struct pbuf *p;
    ssize_t r;
    if (poll(&pfd, 1, -1) <= 0)
      continue;
    for (;;) {
      p = pbuf_alloc(PBUF_RAW, FRAME_MAX, PBUF_RAM);
      if (p == NULL)
        break;
      r = read(tap_fd, p->payload, FRAME_MAX);
      if (r <= 0) {
        pbuf_free(p);
        break;
      }
      pbuf_realloc(p, (u16_t)r);
      ADD(st_rx_frames, 1);
      if (tcpip_input(p, &nif) != ERR_OK)
        pbuf_free(p);
    }
  }
  return NULL;
}

/* -------------------------------------------------------------- main */

static void on_signal(int s)
{
  (void)s;
  stop_flag = 1;
}

static void usage(void)
{
  fprintf(stderr, "usage: lwip_tap_sink [-m own|thread|tapif] [-n mask] [-g gw] [-d port] [-e port] [-s port]\n"
                  "                     [-i secs] [-t secs] [-q] IFNAME IPADDR\n");
  exit(2);
}

int main(int argc, char **argv)
{
  const char *mode = "own", *mask_s = "255.255.255.0", *gw_s = "0.0.0.0";
  int dport = 5001, eport = 5002, sport = 5003, quiet = 0, opt, own, threaded;
  double interval = 1, duration = 0, t0, tlast, tnext;
  uint64_t last_d = 0, last_e = 0, last_s = 0;
  ip4_addr_t ip, mask, gw;
  struct sigaction sa;

  while ((opt = getopt(argc, argv, "m:n:g:d:e:s:i:t:q")) != -1) {
    switch (opt) {
    case 'm': mode = optarg; break;
    case 'n': mask_s = optarg; break;
    case 'g': gw_s = optarg; break;
    case 'd': dport = atoi(optarg); break;
    case 'e': eport = atoi(optarg); break;
    case 's': sport = atoi(optarg); break;
    case 'i': interval = atof(optarg); break;
    case 't': duration = atof(optarg); break;
    case 'q': quiet = 1; break;
    default: usage();
    }
  }
  if (argc - optind != 2)
    usage();
  own = strcmp(mode, "own") == 0;
  threaded = strcmp(mode, "thread") == 0;
  if (!own && !threaded && strcmp(mode, "tapif") != 0)
    usage();
  if (!ip4addr_aton(argv[optind + 1], &ip) || !ip4addr_aton(mask_s, &mask) || !ip4addr_aton(gw_s, &gw)) {
    fprintf(stderr, "bad address\n");
    return 2;
  }

  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);

  if (own) {
    tap_fd = tap_open(argv[optind]);
    if (tap_fd < 0)
      return 1;
    lwip_init(); /* no tcpip thread: we are the only lwIP context */
    if (!netif_add(&nif, &ip, &mask, &gw, NULL, tap_netif_init, ethernet_input)) {
      fprintf(stderr, "netif_add failed\n");
      return 1;
    }
  } else if (threaded) {
    pthread_t th;
    tap_fd = tap_open(argv[optind]);
    if (tap_fd < 0)
      return 1;
    tcpip_init(NULL, NULL); /* runs lwip_init() and starts the tcpip thread */
    LOCK_TCPIP_CORE();
    if (!netif_add(&nif, &ip, &mask, &gw, NULL, tap_netif_init, tcpip_input)) {
      UNLOCK_TCPIP_CORE();
      fprintf(stderr, "netif_add failed\n");
      return 1;
    }
    pthread_create(&th, NULL, tap_reader, NULL);
  } else {
    fprintf(stderr, "warning: -m tapif overflows the heap with this liblwip build\n");
    /* library tapif: opens /dev/net/tun with the name from this variable
     * (otherwise uses "tap0" and runs /sbin/ifconfig on it) and starts a
     * reader thread that hands frames to tcpip_input */
    setenv("PRECONFIGURED_TAPIF", argv[optind], 1);
    tcpip_init(NULL, NULL);
    LOCK_TCPIP_CORE();
    if (!netif_add(&nif, &ip, &mask, &gw, NULL, tapif_init, tcpip_input)) {
      UNLOCK_TCPIP_CORE();
      fprintf(stderr, "netif_add failed\n");
      return 1;
    }
  }
  netif_set_default(&nif);
  netif_set_link_up(&nif);
  netif_set_up(&nif);
  if (listen_on(dport, K_DISCARD) || listen_on(eport, K_ECHO) || listen_on(sport, K_SOURCE)) {
    fprintf(stderr, "listen failed\n");
    return 1;
  }
  if (!own)
    UNLOCK_TCPIP_CORE();

  printf("READY %s mode=%s discard=%d echo=%d source=%d\n", ip4addr_ntoa(&ip), mode, dport, eport, sport);
  fflush(stdout);

  t0 = tlast = now_s();
  tnext = interval > 0 ? t0 + interval : 1e300;
  while (!stop_flag) {
    static int backlog;
    double t = now_s();
    int timeout_ms;
    if (duration > 0 && t - t0 >= duration)
      break;
    if (t >= tnext) {
      uint64_t d = GET(st_discard), e = GET(st_echo), s = GET(st_source);
      double dt = t - tlast;
      if (!quiet)
        fprintf(stderr, "[%7.2fs] discard %.1f Mbit/s  echo %.1f Mbit/s  source %.1f Mbit/s  conns %llu\n",
                t - t0, (d - last_d) * 8 / dt / 1e6, (e - last_e) * 8 / dt / 1e6, (s - last_s) * 8 / dt / 1e6,
                (unsigned long long)GET(st_accepts));
      last_d = d; last_e = e; last_s = s; tlast = t;
      tnext = t + interval;
    }
    {
      double wait = (tnext - t) * 1000 + 1;
      if (duration > 0 && (t0 + duration - t) * 1000 + 1 < wait)
        wait = (t0 + duration - t) * 1000 + 1;
      timeout_ms = wait > 1000 ? 1000 : wait < 0 ? 0 : (int)wait;
    }
    if (own) {
      struct pollfd pfd = { .fd = tap_fd, .events = POLLIN };
      u32_t sleep = sys_timeouts_sleeptime();
      if (sleep != SYS_TIMEOUTS_SLEEPTIME_INFINITE && (int)sleep < timeout_ms)
        timeout_ms = (int)sleep;
      if (backlog)
        timeout_ms = 0;
      backlog = 0;
      if (poll(&pfd, 1, timeout_ms) > 0)
        backlog = tap_drain(64);
      sys_check_timeouts();
    } else {
      usleep(timeout_ms * 1000);
    }
  }
  printf("TOTAL secs=%.3f discard_bytes=%llu echo_bytes=%llu source_bytes=%llu conns=%llu rx_frames=%llu tx_frames=%llu tx_err=%llu\n",
         now_s() - t0, (unsigned long long)GET(st_discard), (unsigned long long)GET(st_echo),
         (unsigned long long)GET(st_source), (unsigned long long)GET(st_accepts),
         (unsigned long long)GET(st_rx_frames), (unsigned long long)GET(st_tx_frames),
         (unsigned long long)GET(st_tx_err));
  fflush(stdout);
  return 0;
}
