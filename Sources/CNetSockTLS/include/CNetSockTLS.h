#ifndef NETSOCK_CNETSOCKTLS_H
#define NETSOCK_CNETSOCKTLS_H

#include <stddef.h>
#include <stdint.h>

/* One TLS client session on Mbed TLS, as a pure state machine: the transport is two
   byte buffers the caller moves (ciphertext in with `feed`, ciphertext out with
   `output`), so no callback ever reaches back into the caller and the session can be
   driven from any event loop, or from a test with captured or hostile bytes. */
typedef struct cnetsock_tls cnetsock_tls;

/* Returned by handshake, read and write when the session needs ciphertext it does
   not have yet (or room for what it would write): try again after the next `feed`. */
#define CNETSOCK_TLS_AGAIN (-1000000)
/* The most ciphertext `feed` holds, and the output above which `write` takes no more. */
#define CNETSOCK_TLS_BUFFER 65536
/* Output beyond which reads and handshakes wait too: far above what writes leave (they
   stop at CNETSOCK_TLS_BUFFER), so reading never waits on a peer that waits on us, yet
   a peer that provokes answers (HelloRequests) without reading cannot grow it for ever. */
#define CNETSOCK_TLS_OUTPUT_LIMIT (4 * CNETSOCK_TLS_BUFFER)

/* NULL when Mbed TLS cannot be set up (no entropy); `error` says why. */
cnetsock_tls *cnetsock_tls_new(char *error, size_t error_size);
/* Frees the session; keys and buffers are zeroed first. */
void cnetsock_tls_free(cnetsock_tls *tls);

/* Trust anchors: PEM text (one or more certificates), or every file in a directory.
   0, or a negative Mbed TLS error; a directory counts as good if one file parsed. */
int cnetsock_tls_add_ca_pem(cnetsock_tls *tls, const char *pem, size_t length);
int cnetsock_tls_add_ca_path(cnetsock_tls *tls, const char *directory);
/* The client's certificate (chain) and its private key, PEM. */
int cnetsock_tls_set_own_cert(cnetsock_tls *tls, const char *cert, size_t cert_length, const char *key, size_t key_length);
/* SNI and the name the server's certificate must carry. */
int cnetsock_tls_set_hostname(cnetsock_tls *tls, const char *hostname);

/* 0 once the handshake is done, CNETSOCK_TLS_AGAIN, or a negative Mbed TLS error. */
int cnetsock_tls_handshake(cnetsock_tls *tls);
/* After a failed handshake: the certificate verification flags (MBEDTLS_X509_BADCERT_*). */
uint32_t cnetsock_tls_verify_flags(cnetsock_tls *tls);
/* The flags as text, one reason per line. */
void cnetsock_tls_verify_text(uint32_t flags, char *buffer, size_t size);
/* Plaintext bytes taken (at most one record), CNETSOCK_TLS_AGAIN, or a negative error. */
long cnetsock_tls_write(cnetsock_tls *tls, const unsigned char *data, size_t length);
/* Plaintext bytes read; 0 at the end (close_notify or the transport's end);
   CNETSOCK_TLS_AGAIN; or a negative error. */
long cnetsock_tls_read(cnetsock_tls *tls, unsigned char *data, size_t length);
/* Queues close_notify. */
int cnetsock_tls_close_notify(cnetsock_tls *tls);

/* Ciphertext from the transport: how much room there is, then the bytes. */
size_t cnetsock_tls_input_room(const cnetsock_tls *tls);
size_t cnetsock_tls_feed(cnetsock_tls *tls, const unsigned char *data, size_t length);
/* The transport ended (the peer's FIN): reads past what was fed see the end. */
void cnetsock_tls_feed_end(cnetsock_tls *tls);
/* Ciphertext for the transport, and how much of it was sent. */
const unsigned char *cnetsock_tls_output(const cnetsock_tls *tls, size_t *length);
void cnetsock_tls_output_sent(cnetsock_tls *tls, size_t count);

/* Mbed TLS's description of an error code. */
void cnetsock_tls_error_text(int error, char *buffer, size_t size);

#endif
