// RUN: infer-opt %s | infer-opt | filecheck %s
// The indexing ops print in their custom form and parse back.

// CHECK-LABEL: func.func @cumulative
func.func @cumulative(%x: tensor<?x8xf32>, %a: tensor<i64>, %n: tensor<3xi32>, %b: tensor<1xi32>) -> (tensor<?x8xf32>, tensor<?x8xf32>, tensor<3xi32>) {
  // CHECK: %[[S:.*]] = infer.cumsum %{{.*}} {axis = 1 : i64, exclusive, reverse} : (tensor<?x8xf32>) -> tensor<?x8xf32>
  %s = infer.cumsum %x {axis = 1 : i64, exclusive, reverse} : (tensor<?x8xf32>) -> tensor<?x8xf32>
  // CHECK: %[[R:.*]] = infer.cumsum %{{.*}}, %{{.*}} : (tensor<?x8xf32>, tensor<i64>) -> tensor<?x8xf32>
  %r = infer.cumsum %x, %a : (tensor<?x8xf32>, tensor<i64>) -> tensor<?x8xf32>
  // CHECK: %[[P:.*]] = infer.cumprod %{{.*}}, %{{.*}} {exclusive} : (tensor<3xi32>, tensor<1xi32>) -> tensor<3xi32>
  %p = infer.cumprod %n, %b {exclusive} : (tensor<3xi32>, tensor<1xi32>) -> tensor<3xi32>
  // CHECK: func.return %[[S]], %[[R]], %[[P]]
  func.return %s, %r, %p : tensor<?x8xf32>, tensor<?x8xf32>, tensor<3xi32>
}

// CHECK-LABEL: func.func @gathers_and_scatters
func.func @gathers_and_scatters(%d: tensor<2x5x4xf32>, %i: tensor<2x3x1xi64>, %m: tensor<5x4xf32>, %j: tensor<3x1xi64>, %u: tensor<3x4xf32>, %k: tensor<5x2xi64>, %v: tensor<5x2xf32>) -> (tensor<2x3x4xf32>, tensor<5x4xf32>, tensor<5x4xf32>) {
  // CHECK: %[[G:.*]] = infer.gather_nd %{{.*}}, %{{.*}} {batch_dims = 1 : i64} : (tensor<2x5x4xf32>, tensor<2x3x1xi64>) -> tensor<2x3x4xf32>
  %g = infer.gather_nd %d, %i {batch_dims = 1 : i64} : (tensor<2x5x4xf32>, tensor<2x3x1xi64>) -> tensor<2x3x4xf32>
  // CHECK: %[[N:.*]] = infer.scatter_nd %{{.*}}, %{{.*}}, %{{.*}} {reduction = "add"} : (tensor<5x4xf32>, tensor<3x1xi64>, tensor<3x4xf32>) -> tensor<5x4xf32>
  %n = infer.scatter_nd %m, %j, %u {reduction = "add"} : (tensor<5x4xf32>, tensor<3x1xi64>, tensor<3x4xf32>) -> tensor<5x4xf32>
  // CHECK: %[[E:.*]] = infer.scatter_elements %{{.*}}, %{{.*}}, %{{.*}} {axis = 1 : i64, reduction = "max"} : (tensor<5x4xf32>, tensor<5x2xi64>, tensor<5x2xf32>) -> tensor<5x4xf32>
  %e = infer.scatter_elements %m, %k, %v {axis = 1 : i64, reduction = "max"} : (tensor<5x4xf32>, tensor<5x2xi64>, tensor<5x2xf32>) -> tensor<5x4xf32>
  // CHECK: func.return %[[G]], %[[N]], %[[E]]
  func.return %g, %n, %e : tensor<2x3x4xf32>, tensor<5x4xf32>, tensor<5x4xf32>
}

// CHECK-LABEL: func.func @top_k
func.func @top_k(%x: tensor<?x10xf32>, %k: tensor<1xi64>) -> (tensor<?x3xf32>, tensor<?x3xi64>, tensor<?x?xi32>, tensor<?x?xi64>) {
  // CHECK: %[[V:.*]], %[[I:.*]] = infer.top_k %{{.*}}, %{{.*}} {axis = 1 : i64, largest} : (tensor<?x10xf32>, tensor<1xi64>) -> (tensor<?x3xf32>, tensor<?x3xi64>)
  %v, %i = infer.top_k %x, %k {axis = 1 : i64, largest} : (tensor<?x10xf32>, tensor<1xi64>) -> (tensor<?x3xf32>, tensor<?x3xi64>)
  %n = infer.cast %x : (tensor<?x10xf32>) -> tensor<?x10xi32>
  // CHECK: infer.top_k %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<?x10xi32>, tensor<1xi64>) -> (tensor<?x?xi32>, tensor<?x?xi64>)
  %w, %j = infer.top_k %n, %k {axis = 1 : i64} : (tensor<?x10xi32>, tensor<1xi64>) -> (tensor<?x?xi32>, tensor<?x?xi64>)
  func.return %v, %i, %w, %j : tensor<?x3xf32>, tensor<?x3xi64>, tensor<?x?xi32>, tensor<?x?xi64>
}
