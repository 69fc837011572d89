/*
 * Link-time wrapper (-Wl,--wrap=BIO_set_callback_ex) for mediasoup-worker built against Debian's OpenSSL 3.
 *
 * mediasoup installs one BIO callback (onSslBioOut in DtlsTransport.cpp) on the BIO that carries DTLS records to
 * the network. It returns `ret` only when `oper == BIO_CB_RETURN`, which never happens (the return call is
 * BIO_CB_RETURN | <operation>), so every BIO_ctrl() on that BIO returns 1. With kernel TLS compiled in (Debian),
 * OpenSSL asks BIO_ctrl(BIO_CTRL_GET_KTLS_SEND), hears "yes", skips allocating its write buffer and dereferences
 * NULL in SSL_read during the first handshake. mediasoup's bundled OpenSSL has kTLS off, which hides this.
 *
 * The wrapper installs a callback that calls mediasoup's and, for the return call of a control operation, hands
 * back OpenSSL's real result. Writes and everything else keep mediasoup's answer.
 */
#include <openssl/bio.h>

void __real_BIO_set_callback_ex(BIO *bio, BIO_callback_fn_ex callback);

/* mediasoup passes the same function for every BIO it sets a callback on. */
static BIO_callback_fn_ex mediasoup_callback;

static long pass_control_results(BIO *bio, int oper, const char *argp, size_t len, int argi, long argl, int ret, size_t *processed)
{
  long answer = mediasoup_callback(bio, oper, argp, len, argi, argl, ret, processed);
  if (oper == (BIO_CB_RETURN | BIO_CB_CTRL)) return ret;
  return answer;
}

void __wrap_BIO_set_callback_ex(BIO *bio, BIO_callback_fn_ex callback)
{
  if (callback == NULL) {
    __real_BIO_set_callback_ex(bio, NULL);
    return;
  }
  mediasoup_callback = callback;
  __real_BIO_set_callback_ex(bio, pass_control_results);
}
