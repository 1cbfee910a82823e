/* gemm_internal.h: what the GEMM sources share (not part of the kernel ABI). */
#ifndef INFER_GEMM_INTERNAL_H
#define INFER_GEMM_INTERNAL_H

#include "infer_kernels.h"

/* The micro-kernels, one file per instruction set (function-level target
 * attributes: every one is built into the library whatever -march says). */
extern INFER_KERNEL_API const infer_gemm_arch infer_gemm_arch_avx512;
extern INFER_KERNEL_API const infer_gemm_arch infer_gemm_arch_avx2;
extern INFER_KERNEL_API const infer_gemm_arch infer_gemm_arch_generic;

/* The header of a prepacked operand (64 bytes, then the panels). */
#define INFER_PACK_MAGIC 0x3150474652464e49ull /* "INFRGPK1" */
#define INFER_PACK_HEADER 64
typedef struct {
  uint64_t magic;
  int32_t isa, side, width, kc;
  int64_t rows, K;
} infer_pack_header;

#endif
