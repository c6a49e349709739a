#include "card/zlib_codec.h"

#include <zlib.h>

namespace card {

struct Inflater::State {
  z_stream zs{};
  bool initialised = false;
};

bool LooksLikeZlib(base::ByteSpan data) {
  if (data.size() < 2) return false;
  const unsigned cmf = data[0];
  const unsigned flg = data[1];
  return (cmf & 0x0f) == 8 && (cmf >> 4) <= 7 && (cmf * 256 + flg) % 31 == 0 && (flg & 0x20) == 0;
}

Inflater::Inflater() : state_(std::make_unique<State>()) {}

Inflater::~Inflater() {
  if (state_->initialised) inflateEnd(&state_->zs);
}

base::Status Inflater::Inflate(base::ByteSpan in, size_t max_output, base::Bytes* out) {
  z_stream& zs = state_->zs;
  if (!state_->initialised) {
    if (inflateInit(&zs) != Z_OK) return base::Internal("zlib: inflateInit failed");
    state_->initialised = true;
  } else if (inflateReset(&zs) != Z_OK) {
    return base::Internal("zlib: inflateReset failed");
  }
  // One spare byte tells "exactly at the limit" from "over the limit".
  out->resize(max_output + 1);
  zs.next_in = const_cast<Bytef*>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = out->data();
  zs.avail_out = static_cast<uInt>(out->size());
  int rc = inflate(&zs, Z_FINISH);
  const size_t produced = out->size() - zs.avail_out;
  if (produced > max_output) {
    out->clear();
    return base::OutOfRange("zlib: inflated size exceeds the limit of " +
                            std::to_string(max_output) + " bytes");
  }
  out->resize(produced);
  if (rc != Z_STREAM_END) {
    return base::InvalidArgument(rc == Z_BUF_ERROR || rc == Z_OK ? "zlib: stream is truncated"
                                                                 : "zlib: corrupt stream");
  }
  if (zs.avail_in != 0) return base::InvalidArgument("zlib: trailing bytes after the stream");
  return base::Status::Ok();
}

base::Result<base::Bytes> Deflate(base::ByteSpan in) {
  base::Bytes out(compressBound(static_cast<uLong>(in.size())));
  uLongf out_len = static_cast<uLongf>(out.size());
  if (compress2(out.data(), &out_len, in.data(), static_cast<uLong>(in.size()),
                Z_BEST_COMPRESSION) != Z_OK) {
    return base::Internal("zlib: compress failed");
  }
  out.resize(out_len);
  return out;
}

}  // namespace card
