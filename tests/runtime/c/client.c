/* A C program that uses a compiled model through model.h alone (no Python).
 *
 *     client DIR N [N2]
 *
 * Creates the model from DIR, prints its signature, and runs it on float32
 * inputs whose dynamic dims are N (element k of input i is i + 0.25 * k - 1),
 * printing every output; with N2, runs again at that size (the memory plan
 * changes). Then checks the failure paths: an input of the wrong rank and of
 * the wrong dtype, a wrong number of inputs, and a weights path that does not
 * exist; each prints its status and message. Exit status 0 unless something
 * did not behave as model.h says.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

static int run(infer_model *model, int64_t n) {
  int num_inputs = infer_model_num_inputs(), num_outputs = infer_model_num_outputs();
  infer_tensor inputs[8], outputs[8];
  int64_t dims[8][8];
  float *data[8];
  for (int i = 0; i < num_inputs; i++) {
    int rank = infer_model_input_rank(i);
    int64_t count = 1;
    for (int d = 0; d < rank; d++) {
      int64_t size = infer_model_input_dim(i, d);
      dims[i][d] = size < 0 ? n : size;
      count *= dims[i][d];
    }
    data[i] = malloc((size_t)(count > 0 ? count : 1) * sizeof(float));
    for (int64_t k = 0; k < count; k++)
      data[i][k] = (float)i + 0.25f * (float)k - 1.0f;
    inputs[i].data = data[i];
    inputs[i].dtype = INFER_FLOAT32;
    inputs[i].rank = rank;
    inputs[i].dims = dims[i];
  }
  int status = infer_model_run(model, inputs, num_inputs, outputs, num_outputs);
  if (status != INFER_OK) {
    printf("run failed: %d %s\n", status, infer_model_error(model));
    return 1;
  }
  for (int o = 0; o < num_outputs; o++) {
    int64_t count = 1;
    printf("output %s dims", infer_model_output_name(o));
    for (int d = 0; d < outputs[o].rank; d++) {
      printf(" %lld", (long long)outputs[o].dims[d]);
      count *= outputs[o].dims[d];
    }
    printf(" values");
    for (int64_t k = 0; k < count; k++)
      printf(" %.9g", (double)((const float *)outputs[o].data)[k]);
    printf("\n");
  }
  int64_t arena = 0, total = 0;
  if (infer_model_memory(model, &arena, &total) == INFER_OK)
    printf("memory arena %lld intermediates %lld\n", (long long)arena, (long long)total);
  /* Failure paths: a status and a message, never a crash. */
  inputs[0].rank -= 1;
  status = infer_model_run(model, inputs, num_inputs, outputs, num_outputs);
  printf("wrong rank: %d %s\n", status, infer_model_error(model));
  inputs[0].rank += 1;
  inputs[0].dtype = INFER_FLOAT64;
  int dtype_status = infer_model_run(model, inputs, num_inputs, outputs, num_outputs);
  printf("wrong dtype: %d %s\n", dtype_status, infer_model_error(model));
  inputs[0].dtype = INFER_FLOAT32;
  int count_status = infer_model_run(model, inputs, num_inputs - 1, outputs, num_outputs);
  printf("wrong count: %d %s\n", count_status, infer_model_error(model));
  for (int i = 0; i < num_inputs; i++)
    free(data[i]);
  return status == INFER_ERR_SHAPE && dtype_status == INFER_ERR_DTYPE && count_status == INFER_ERR_ARGUMENT ? 0 : 1;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: client DIR N [N2]\n");
    return 2;
  }
  for (int i = 0; i < infer_model_num_inputs(); i++) {
    printf("input %d %s dtype %d rank %d dims", i, infer_model_input_name(i), infer_model_input_dtype(i),
           infer_model_input_rank(i));
    for (int d = 0; d < infer_model_input_rank(i); d++) {
      const char *symbol = infer_model_input_dim_symbol(i, d);
      if (symbol[0])
        printf(" %s", symbol);
      else
        printf(" %lld", (long long)infer_model_input_dim(i, d));
    }
    printf("\n");
  }
  infer_model *model = NULL;
  if (infer_model_create(argv[1], 1, &model) != INFER_OK) {
    printf("create failed: %s\n", infer_model_error(NULL));
    return 1;
  }
  int failed = run(model, atoll(argv[2]));
  if (argc > 3)
    failed |= run(model, atoll(argv[3]));
  infer_model_destroy(model);
  infer_model *missing = NULL;
  int status = infer_model_create("/nonexistent/weights.bin", 1, &missing);
  printf("missing weights: %d %s\n", status, infer_model_error(NULL));
  failed |= status != INFER_ERR_WEIGHTS || missing != NULL;
  return failed;
}
