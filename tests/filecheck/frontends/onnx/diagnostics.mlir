// RUN: python %S/Inputs/make_models.py %t
// RUN: not infer-opt %t/truncated.onnx 2>&1 | filecheck %s --check-prefix=TRUNCATED
// RUN: not infer-opt %t/random_bytes.onnx 2>&1 | filecheck %s --check-prefix=RANDOM
// RUN: not infer-opt %t/unknown_op.onnx 2>&1 | filecheck %s --check-prefix=UNKNOWN-OP
// RUN: not infer-opt %t/undefined_input.onnx 2>&1 | filecheck %s --check-prefix=UNDEFINED
// RUN: not infer-opt %t/unknown_domain.onnx 2>&1 | filecheck %s --check-prefix=DOMAIN
// RUN: not infer-opt %t/missing_output.onnx 2>&1 | filecheck %s --check-prefix=OUTPUT
// RUN: not infer-opt %t/bad_attribute_type.onnx 2>&1 | filecheck %s --check-prefix=ATTRIBUTE
// RUN: not infer-opt %t/op_of_later_opset.onnx 2>&1 | filecheck %s --check-prefix=OPSET
// RUN: not infer-opt %t/schema_violation.onnx 2>&1 | filecheck %s --check-prefix=SCHEMA

// A broken model is one line on stderr: the file, the node, its op and opset,
// what is wrong and what to do; never a traceback.

// TRUNCATED: infer-opt: error: {{.*}}truncated.onnx: not an ONNX model: the protobuf does not parse
// TRUNCATED-SAME: it may be truncated
// TRUNCATED-NOT: Traceback

// RANDOM: infer-opt: error: {{.*}}random_bytes.onnx: not an ONNX model
// RANDOM-NOT: Traceback

// UNKNOWN-OP: infer-opt: error: {{.*}}unknown_op.onnx: node 'frob' (Frobnicate, opset 17): 'Frobnicate' is not an operator of 'ai.onnx'; check the op type's spelling

// UNDEFINED: infer-opt: error: {{.*}}undefined_input.onnx: node 'add1' (Add, opset 17): input 'ghost' is not produced by any node, initializer or graph input

// DOMAIN: infer-opt: error: {{.*}}unknown_domain.onnx: node 'fused' (Fused): the model imports no opset of domain 'com.acme'; 'com.acme' is not an ONNX domain

// OUTPUT: infer-opt: error: {{.*}}missing_output.onnx: graph output 'y' is not produced by any node, initializer or input

// ATTRIBUTE: infer-opt: error: {{.*}}bad_attribute_type.onnx: node 'softmax' (Softmax, opset 17): attribute 'axis' is FLOAT but Softmax expects INT

// OPSET: infer-opt: error: {{.*}}op_of_later_opset.onnx: node 'gelu' (Gelu, opset 17): 'Gelu' does not exist at opset 17 of 'ai.onnx' (it exists from opset 20)

// SCHEMA: infer-opt: error: {{.*}}schema_violation.onnx: node 'root' (Sqrt, opset 17): 'X' has type tensor(int32), not one of T: tensor(bfloat16), tensor(double), tensor(float), tensor(float16)
