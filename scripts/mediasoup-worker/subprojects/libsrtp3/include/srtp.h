/*
 * libsrtp 3 API on top of Debian's libsrtp 2 (libsrtp2-dev), for building mediasoup-worker without its libsrtp 3
 * fork. mediasoup includes <srtp.h>; this file stands in for it (its folder comes first on the include path) and
 * adds, as C++ overloads next to the C functions of libsrtp 2, exactly the calls mediasoup makes:
 *
 *   libsrtp 3 (mediasoup)                                         libsrtp 2 (Debian)
 *   srtp_protect(ctx, in, in_len, out, &out_len, mki_index)       copy in → out, srtp_protect(ctx, out, &int_len)
 *   srtp_unprotect(ctx, in, in_len, out, &out_len)                copy in → out, srtp_unprotect(ctx, out, &int_len)
 *   srtp_protect_rtcp / srtp_unprotect_rtcp                       same, with the RTCP functions
 *   srtp_stream_remove(ctx, ssrc)                                 srtp_remove_stream(ctx, ssrc)
 *   srtp_err_status_buffer_small, srtp_err_status_cryptex_err     two status codes libsrtp 2 does not have
 *
 * libsrtp 2 works in place and may append up to SRTP_MAX_TRAILER_LEN bytes (+4 for RTCP), so the output buffer must
 * hold the input plus that trailer; a smaller one is refused with srtp_err_status_buffer_small, as libsrtp 3 does.
 * mediasoup uses no MKI (mki_index 0); any other index is refused with srtp_err_status_bad_mki.
 */
#ifndef LATENCY_LAB_SRTP3_ON_SRTP2_H
#define LATENCY_LAB_SRTP3_ON_SRTP2_H

#include <srtp2/srtp.h>

#ifdef __cplusplus
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>

/* Status codes of libsrtp 3 that libsrtp 2.5 lacks (its last one is srtp_err_status_pkt_idx_adv = 27). */
constexpr srtp_err_status_t srtp_err_status_buffer_small = static_cast<srtp_err_status_t>(28);
constexpr srtp_err_status_t srtp_err_status_cryptex_err = static_cast<srtp_err_status_t>(29);

namespace latency_lab_srtp
{
	using InPlace = srtp_err_status_t (*)(srtp_t, void*, int*);

	/* Runs a libsrtp 2 in-place function over `in` copied into `out`; `*out_len` is out's capacity on entry. */
	inline srtp_err_status_t run(
	  InPlace fn, srtp_t ctx, const uint8_t* in, size_t in_len, uint8_t* out, size_t* out_len, size_t room)
	{
		if (in_len > static_cast<size_t>(INT_MAX) - room || *out_len < in_len + room)
			return srtp_err_status_buffer_small;
		if (out != in)
			std::memmove(out, in, in_len);
		int len = static_cast<int>(in_len);
		const srtp_err_status_t err = fn(ctx, out, &len);
		if (err == srtp_err_status_ok)
			*out_len = static_cast<size_t>(len);
		return err;
	}

	inline srtp_err_status_t protectRtp(srtp_t ctx, void* packet, int* len)
	{
		return ::srtp_protect(ctx, packet, len);
	}
	inline srtp_err_status_t unprotectRtp(srtp_t ctx, void* packet, int* len)
	{
		return ::srtp_unprotect(ctx, packet, len);
	}
	inline srtp_err_status_t protectRtcp(srtp_t ctx, void* packet, int* len)
	{
		return ::srtp_protect_rtcp(ctx, packet, len);
	}
	inline srtp_err_status_t unprotectRtcp(srtp_t ctx, void* packet, int* len)
	{
		return ::srtp_unprotect_rtcp(ctx, packet, len);
	}
} // namespace latency_lab_srtp

inline srtp_err_status_t srtp_protect(
  srtp_t ctx, const uint8_t* rtp, size_t rtp_len, uint8_t* srtp, size_t* srtp_len, size_t mki_index)
{
	if (mki_index != 0)
		return srtp_err_status_bad_mki;
	return latency_lab_srtp::run(latency_lab_srtp::protectRtp, ctx, rtp, rtp_len, srtp, srtp_len, SRTP_MAX_TRAILER_LEN);
}

inline srtp_err_status_t srtp_unprotect(srtp_t ctx, const uint8_t* srtp, size_t srtp_len, uint8_t* rtp, size_t* rtp_len)
{
	return latency_lab_srtp::run(latency_lab_srtp::unprotectRtp, ctx, srtp, srtp_len, rtp, rtp_len, 0);
}

inline srtp_err_status_t srtp_protect_rtcp(
  srtp_t ctx, const uint8_t* rtcp, size_t rtcp_len, uint8_t* srtcp, size_t* srtcp_len, size_t mki_index)
{
	if (mki_index != 0)
		return srtp_err_status_bad_mki;
	return latency_lab_srtp::run(
	  latency_lab_srtp::protectRtcp, ctx, rtcp, rtcp_len, srtcp, srtcp_len, SRTP_MAX_TRAILER_LEN + 4);
}

inline srtp_err_status_t srtp_unprotect_rtcp(srtp_t ctx, const uint8_t* srtcp, size_t srtcp_len, uint8_t* rtcp, size_t* rtcp_len)
{
	return latency_lab_srtp::run(latency_lab_srtp::unprotectRtcp, ctx, srtcp, srtcp_len, rtcp, rtcp_len, 0);
}

/* `ssrc` in network byte order, as both versions store it. */
inline srtp_err_status_t srtp_stream_remove(srtp_t ctx, uint32_t ssrc)
{
	return srtp_remove_stream(ctx, ssrc);
}
#endif /* __cplusplus */

#endif /* LATENCY_LAB_SRTP3_ON_SRTP2_H */
