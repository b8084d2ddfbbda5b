#include "CNetSockTLS.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

struct cnetsock_tls {
    mbedtls_ssl_context ssl;
    mbedtls_ssl_config config;
    mbedtls_x509_crt anchors;
    mbedtls_x509_crt own_cert;
    mbedtls_pk_context own_key;
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    int has_own_cert;
    /* Ciphertext received and not yet consumed by Mbed TLS. */
    unsigned char input[CNETSOCK_TLS_BUFFER];
    size_t input_start, input_end;
    int input_ended;
    /* Ciphertext Mbed TLS wrote and the transport has not taken; grows as records come. */
    unsigned char *output;
    size_t output_length, output_capacity;
};

static int take_input(void *context, unsigned char *buffer, size_t length) {
    cnetsock_tls *tls = context;
    size_t available = tls->input_end - tls->input_start;
    if (available == 0) return tls->input_ended ? 0 : MBEDTLS_ERR_SSL_WANT_READ;
    if (length > available) length = available;
    memcpy(buffer, tls->input + tls->input_start, length);
    tls->input_start += length;
    if (tls->input_start == tls->input_end) tls->input_start = tls->input_end = 0;
    return (int)length;
}

static int give_output(void *context, const unsigned char *buffer, size_t length) {
    cnetsock_tls *tls = context;
    if (tls->output_length + length > tls->output_capacity) {
        size_t capacity = tls->output_capacity ? tls->output_capacity : 4096;
        while (capacity < tls->output_length + length) capacity *= 2;
        unsigned char *grown = realloc(tls->output, capacity);
        if (!grown) return MBEDTLS_ERR_SSL_ALLOC_FAILED;
        tls->output = grown;
        tls->output_capacity = capacity;
    }
    memcpy(tls->output + tls->output_length, buffer, length);
    tls->output_length += length;
    return (int)length;
}

cnetsock_tls *cnetsock_tls_new(char *error, size_t error_size) {
    cnetsock_tls *tls = calloc(1, sizeof *tls);
    if (!tls) {
        snprintf(error, error_size, "out of memory");
        return NULL;
    }
    mbedtls_ssl_init(&tls->ssl);
    mbedtls_ssl_config_init(&tls->config);
    mbedtls_x509_crt_init(&tls->anchors);
    mbedtls_x509_crt_init(&tls->own_cert);
    mbedtls_pk_init(&tls->own_key);
    mbedtls_entropy_init(&tls->entropy);
    mbedtls_ctr_drbg_init(&tls->drbg);
    static const unsigned char personal[] = "netsockd TLSSocket";
    int result = mbedtls_ctr_drbg_seed(&tls->drbg, mbedtls_entropy_func, &tls->entropy, personal, sizeof personal - 1);
    if (result == 0)
        result = mbedtls_ssl_config_defaults(&tls->config, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
    if (result == 0) {
        /* As Mbed's TLSSocket: the server must prove itself, and with no anchors set it cannot. */
        mbedtls_ssl_conf_authmode(&tls->config, MBEDTLS_SSL_VERIFY_REQUIRED);
        mbedtls_ssl_conf_rng(&tls->config, mbedtls_ctr_drbg_random, &tls->drbg);
        mbedtls_ssl_conf_ca_chain(&tls->config, &tls->anchors, NULL);
        result = mbedtls_ssl_setup(&tls->ssl, &tls->config);
    }
    if (result != 0) {
        mbedtls_strerror(result, error, error_size);
        cnetsock_tls_free(tls);
        return NULL;
    }
    mbedtls_ssl_set_bio(&tls->ssl, tls, give_output, take_input, NULL);
    return tls;
}

void cnetsock_tls_free(cnetsock_tls *tls) {
    if (!tls) return;
    mbedtls_ssl_free(&tls->ssl);
    mbedtls_ssl_config_free(&tls->config);
    mbedtls_x509_crt_free(&tls->anchors);
    mbedtls_x509_crt_free(&tls->own_cert);
    mbedtls_pk_free(&tls->own_key);
    mbedtls_ctr_drbg_free(&tls->drbg);
    mbedtls_entropy_free(&tls->entropy);
    if (tls->output) {
        mbedtls_platform_zeroize(tls->output, tls->output_capacity);
        free(tls->output);
    }
    mbedtls_platform_zeroize(tls, sizeof *tls);
    free(tls);
}

/* Mbed TLS parses PEM only from text that ends in NUL, counted in the length. */
static int with_terminated(const char *text, size_t length, unsigned char **copy) {
    *copy = malloc(length + 1);
    if (!*copy) return MBEDTLS_ERR_X509_ALLOC_FAILED;
    memcpy(*copy, text, length);
    (*copy)[length] = 0;
    return 0;
}

static void release_copy(unsigned char *copy, size_t length) {
    mbedtls_platform_zeroize(copy, length + 1);
    free(copy);
}

int cnetsock_tls_add_ca_pem(cnetsock_tls *tls, const char *pem, size_t length) {
    unsigned char *copy;
    int result = with_terminated(pem, length, &copy);
    if (result) return result;
    result = mbedtls_x509_crt_parse(&tls->anchors, copy, length + 1);
    release_copy(copy, length);
    /* A positive count means some certificates in the text did not parse. */
    return result > 0 ? MBEDTLS_ERR_X509_INVALID_FORMAT : result;
}

int cnetsock_tls_add_ca_path(cnetsock_tls *tls, const char *directory) {
    int result = mbedtls_x509_crt_parse_path(&tls->anchors, directory);
    if (result < 0) return result;
    return tls->anchors.version != 0 ? 0 : MBEDTLS_ERR_X509_FILE_IO_ERROR;
}

int cnetsock_tls_set_own_cert(cnetsock_tls *tls, const char *cert, size_t cert_length, const char *key, size_t key_length) {
    /* Parsed aside and swapped in only when both parse, so a bad second call leaves the
       first in place; the config lists our pair once, by address. */
    mbedtls_x509_crt new_cert;
    mbedtls_pk_context new_key;
    mbedtls_x509_crt_init(&new_cert);
    mbedtls_pk_init(&new_key);
    unsigned char *copy;
    int result = with_terminated(cert, cert_length, &copy);
    if (result == 0) {
        result = mbedtls_x509_crt_parse(&new_cert, copy, cert_length + 1);
        release_copy(copy, cert_length);
        if (result > 0) result = MBEDTLS_ERR_X509_INVALID_FORMAT;
    }
    if (result == 0) result = with_terminated(key, key_length, &copy);
    if (result == 0) {
        result = mbedtls_pk_parse_key(&new_key, copy, key_length + 1, NULL, 0);
        release_copy(copy, key_length);
    }
    if (result != 0) {
        mbedtls_x509_crt_free(&new_cert);
        mbedtls_pk_free(&new_key);
        return result;
    }
    mbedtls_x509_crt_free(&tls->own_cert);
    mbedtls_pk_free(&tls->own_key);
    tls->own_cert = new_cert;
    tls->own_key = new_key;
    if (!tls->has_own_cert) {
        result = mbedtls_ssl_conf_own_cert(&tls->config, &tls->own_cert, &tls->own_key);
        tls->has_own_cert = result == 0;
    }
    return result;
}

int cnetsock_tls_set_hostname(cnetsock_tls *tls, const char *hostname) {
    return mbedtls_ssl_set_hostname(&tls->ssl, hostname);
}

static int again(int result) {
    return result == MBEDTLS_ERR_SSL_WANT_READ || result == MBEDTLS_ERR_SSL_WANT_WRITE ? CNETSOCK_TLS_AGAIN : result;
}

int cnetsock_tls_handshake(cnetsock_tls *tls) {
    /* What it would write waits for the transport to take what is queued. */
    if (tls->output_length >= CNETSOCK_TLS_OUTPUT_LIMIT) return CNETSOCK_TLS_AGAIN;
    return again(mbedtls_ssl_handshake(&tls->ssl));
}

uint32_t cnetsock_tls_verify_flags(cnetsock_tls *tls) {
    return mbedtls_ssl_get_verify_result(&tls->ssl);
}

void cnetsock_tls_verify_text(uint32_t flags, char *buffer, size_t size) {
    if (size == 0) return;
    buffer[0] = 0;
    mbedtls_x509_crt_verify_info(buffer, size, "", flags);
}

long cnetsock_tls_write(cnetsock_tls *tls, const unsigned char *data, size_t length) {
    if (tls->output_length >= CNETSOCK_TLS_BUFFER) return CNETSOCK_TLS_AGAIN;
    return again(mbedtls_ssl_write(&tls->ssl, data, length));
}

long cnetsock_tls_read(cnetsock_tls *tls, unsigned char *data, size_t length) {
    if (length == 0) return 0;
    /* Reading may answer the peer (an alert refusing renegotiation): not past the bound.
       The bound is not the writers' one, or an echo peer and we would wait on each other. */
    if (tls->output_length >= CNETSOCK_TLS_OUTPUT_LIMIT) return CNETSOCK_TLS_AGAIN;
    for (;;) {
        size_t before = tls->input_end - tls->input_start;
        int result = mbedtls_ssl_read(&tls->ssl, data, length);
        if (result > 0) return result;
        if (result == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) return 0;
        /* The transport ended without close_notify: an end all the same, as Mbed's recv says. */
        if (result == MBEDTLS_ERR_SSL_CONN_EOF) return 0;
        /* 0 is an empty record, WANT_READ may follow a warning alert with records still
           buffered: read on while the buffered input shrinks, so no record waits for an
           event that will not come. */
        if (result == 0 || result == MBEDTLS_ERR_SSL_WANT_READ) {
            size_t after = tls->input_end - tls->input_start;
            if (after > 0 && after < before && tls->output_length < CNETSOCK_TLS_OUTPUT_LIMIT) continue;
            return CNETSOCK_TLS_AGAIN;
        }
        return again(result);
    }
}

int cnetsock_tls_close_notify(cnetsock_tls *tls) {
    return again(mbedtls_ssl_close_notify(&tls->ssl));
}

size_t cnetsock_tls_input_room(const cnetsock_tls *tls) {
    return CNETSOCK_TLS_BUFFER - (tls->input_end - tls->input_start);
}

size_t cnetsock_tls_feed(cnetsock_tls *tls, const unsigned char *data, size_t length) {
    if (tls->input_start > 0) {
        memmove(tls->input, tls->input + tls->input_start, tls->input_end - tls->input_start);
        tls->input_end -= tls->input_start;
        tls->input_start = 0;
    }
    size_t room = CNETSOCK_TLS_BUFFER - tls->input_end;
    if (length > room) length = room;
    memcpy(tls->input + tls->input_end, data, length);
    tls->input_end += length;
    return length;
}

void cnetsock_tls_feed_end(cnetsock_tls *tls) { tls->input_ended = 1; }

const unsigned char *cnetsock_tls_output(const cnetsock_tls *tls, size_t *length) {
    *length = tls->output_length;
    return tls->output;
}

void cnetsock_tls_output_sent(cnetsock_tls *tls, size_t count) {
    if (count > tls->output_length) count = tls->output_length;
    memmove(tls->output, tls->output + count, tls->output_length - count);
    tls->output_length -= count;
}

void cnetsock_tls_error_text(int error, char *buffer, size_t size) {
    mbedtls_strerror(error, buffer, size);
}
