// Shared internals of the convolution kernels (conv.cc, winograd.cc, depthwise.cc): the NHWC
// geometry, which TypeScript computes with tfjs's backend_util.computeConv2DInfo and passes as an
// Int32Array, and the packing helpers.
#pragma once
#include <cstdint>

#include "gemm.h"
#include "napi_util.h"

namespace contrastive {

// x [B, H, W, C], y [B, OH, OW, O]; filter FH x FW; strides sh, sw; dilations dh, dw; padding
// top pt and left pl (bottom and right follow from the output size). Output pixel (oh, ow) reads
// input (oh*sh - pt + fh*dh, ow*sw - pl + fw*dw); outside the image counts as 0.
struct ConvGeom {
  int64_t B = 0, H = 0, W = 0, C = 0, OH = 0, OW = 0, O = 0, FH = 0, FW = 0;
  int64_t sh = 1, sw = 1, dh = 1, dw = 1, pt = 0, pl = 0;
};

// geom: Int32Array [B, H, W, C, OH, OW, O, FH, FW, sh, sw, dh, dw, pt, pl].
inline ConvGeom read_geom(const Napi::Value& v) {
  const int32_t* a = i32(v);
  ConvGeom g;
  g.B = a[0]; g.H = a[1]; g.W = a[2]; g.C = a[3];
  g.OH = a[4]; g.OW = a[5]; g.O = a[6];
  g.FH = a[7]; g.FW = a[8];
  g.sh = a[9]; g.sw = a[10]; g.dh = a[11]; g.dw = a[12];
  g.pt = a[13]; g.pl = a[14];
  return g;
}

// out[c * MR + r] = src[r] ? src[r][c] : 0 for c < len, r < MR (MR <= 16): gathers MR rows of
// length len (nullptr: a row of zeros) into the GEMM's packed-panel layout. AVX-512 when available.
void gather_transpose(const float* const* src, int MR, int64_t len, float* out);

// Winograd F(4x4, 3x3) convolution (winograd.cc): true when it handles g (3x3 filter, stride 1,
// dilation 1, enough channels for the transforms to pay off).
bool winograd_applies(const ConvGeom& g);
// y[B, OH, OW, O] = epi(conv(x, w)) for a geometry accepted by winograd_applies.
void winograd_conv3x3(const float* x, const float* w, float* y, const ConvGeom& g, const Epilogue& epi);
// The filter gradient by Winograd F(3x3, 4x4): true when winograd_backprop_filter_3x3 handles g.
bool winograd_filter_applies(const ConvGeom& g);
// dw[3, 3, C, O] from x[B, H, W, C] and dy[B, OH, OW, O] for a geometry accepted above.
void winograd_backprop_filter_3x3(const float* x, const float* dy, float* dw, const ConvGeom& g);

}  // namespace contrastive
