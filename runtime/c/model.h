/* model.h: the C API of a model compiled by infer (`infer-compile`).
 *
 * @MODEL_DESCRIPTION@
 *
 * Usage (error handling shortened):
 *
 *     infer_model *model;
 *     if (infer_model_create("out_dir", 1, &model) != INFER_OK)     // or the path of weights.bin
 *         fprintf(stderr, "%s\n", infer_model_error(NULL));
 *     int64_t dims[4] = {1, 3, 224, 224};
 *     infer_tensor input = {data, INFER_FLOAT32, 4, dims};
 *     infer_tensor output;
 *     if (infer_model_run(model, &input, 1, &output, 1) != INFER_OK)
 *         fprintf(stderr, "%s\n", infer_model_error(model));
 *     // output.data, output.dims: owned by the model, valid until the next run or destroy
 *     infer_model_destroy(model);
 *
 * Threads: a model may be used by one thread at a time; distinct models are
 * independent. Link with -lm; the weights file must be the one written with
 * this library (checked at create).
 */
#ifndef INFER_MODEL_H
#define INFER_MODEL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define INFER_API __attribute__((visibility("default")))
#else
#define INFER_API
#endif

/* Status codes: every function that can fail returns one; the message is infer_model_error(). */
enum {
  INFER_OK = 0,
  INFER_ERR_ARGUMENT = 1, /* a bad call: NULL pointer, wrong number of tensors, bad threads */
  INFER_ERR_SHAPE = 2,    /* an input's rank or dims do not fit the model's signature */
  INFER_ERR_DTYPE = 3,    /* an input's element type is not the model's */
  INFER_ERR_MEMORY = 4,   /* out of memory */
  INFER_ERR_WEIGHTS = 5   /* the weights file is missing, unreadable, or not this model's */
};

/* Element types: the values of ONNX's TensorProto.DataType. */
enum {
  INFER_FLOAT32 = 1,
  INFER_UINT8 = 2,
  INFER_INT8 = 3,
  INFER_UINT16 = 4,
  INFER_INT16 = 5,
  INFER_INT32 = 6,
  INFER_INT64 = 7,
  INFER_BOOL = 9, /* one byte per element, 0 or 1 */
  INFER_FLOAT16 = 10,
  INFER_FLOAT64 = 11,
  INFER_UINT32 = 12,
  INFER_UINT64 = 13,
  /* The narrow types, one storage unit per element: floats as their bits,
   * sub-byte integers one byte each (signed ones sign-extended; ONNX packs two or
   * four per byte, the model does not). */
  INFER_BFLOAT16 = 16, /* uint16_t */
  INFER_FLOAT8E4M3FN = 17,
  INFER_FLOAT8E4M3FNUZ = 18,
  INFER_FLOAT8E5M2 = 19,
  INFER_FLOAT8E5M2FNUZ = 20,
  INFER_UINT4 = 21, /* uint8_t, 0..15 */
  INFER_INT4 = 22,  /* int8_t, -8..7 */
  INFER_FLOAT4E2M1 = 23,
  INFER_FLOAT8E8M0 = 24,
  INFER_UINT2 = 25, /* uint8_t, 0..3 */
  INFER_INT2 = 26   /* int8_t, -2..1 */
};

/* A tensor: contiguous, row-major data. For inputs the caller owns everything;
 * for outputs, infer_model_run fills the descriptor and the model owns `data`
 * and `dims` until the next run or infer_model_destroy. */
typedef struct {
  void *data;
  int32_t dtype;
  int32_t rank;
  const int64_t *dims;
} infer_tensor;

typedef struct infer_model infer_model;

/* Loads the weights and prepares a model. `weights` is the path of the weights
 * file or of the directory holding weights.bin (NULL for a model without
 * weights). `threads`: the number of threads the model's kernels run on,
 * the calling thread included (1: only the calling thread, exactly); 0: one
 * per online CPU. On failure *model is NULL and infer_model_error(NULL) says
 * why. */
INFER_API int infer_model_create(const char *weights, int threads, infer_model **model);

/* Runs the model. `inputs` in the order of infer_model_input_name; `outputs`
 * receives one descriptor per output. Inputs are checked (count, dtype, rank,
 * static dims, one size per dim symbol) before anything runs. */
INFER_API int infer_model_run(infer_model *model, const infer_tensor *inputs, int num_inputs, infer_tensor *outputs,
                              int num_outputs);

INFER_API void infer_model_destroy(infer_model *model);

/* The message of the last failure on this model, or of the last failed
 * infer_model_create on this thread when `model` is NULL ("" if none). */
INFER_API const char *infer_model_error(const infer_model *model);

/* The signature. Dims are -1 where dynamic; a dynamic dim may have a symbol
 * (e.g. "N"): inputs that share a symbol must share its size. */
INFER_API int infer_model_num_inputs(void);
INFER_API int infer_model_num_outputs(void);
INFER_API const char *infer_model_input_name(int index);
INFER_API const char *infer_model_output_name(int index);
INFER_API int infer_model_input_dtype(int index);
INFER_API int infer_model_output_dtype(int index);
INFER_API int infer_model_input_rank(int index);
INFER_API int infer_model_output_rank(int index);
INFER_API int64_t infer_model_input_dim(int index, int dim);
INFER_API int64_t infer_model_output_dim(int index, int dim);
INFER_API const char *infer_model_input_dim_symbol(int index, int dim);
INFER_API const char *infer_model_output_dim_symbol(int index, int dim);

/* Memory of intermediate buffers in the last run: the arena that holds them
 * (buffers that are not live at the same time share memory), and the sum of
 * their sizes. Returns INFER_ERR_ARGUMENT before the first run. */
INFER_API int infer_model_memory(const infer_model *model, int64_t *arena_bytes, int64_t *intermediate_bytes);

#ifdef __cplusplus
}
#endif
#endif
