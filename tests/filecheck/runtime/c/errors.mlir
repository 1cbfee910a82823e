// RUN: infer-compile %s --emit-c --split-input-file --no-outline | filecheck %s

// IR outside the loop-level contract is an error naming the op and its node.
// CHECK: // error: node 'gemm1': cannot emit C for 'memref.subview': the op is not in the loop-level contract; see docs/c_target.md
func.func @main_graph(%x: memref<8xf32>) -> memref<8xf32> {
  %v = memref.subview %x[0] [4] [1] : memref<8xf32> to memref<4xf32> loc("gemm1")
  %y = memref.alloc() : memref<8xf32>
  func.return %y : memref<8xf32>
}

// -----

// CHECK: // error: cannot emit C for 'memref.alloc': memref<4xf32, strided<[2]>> has a layout; the C target takes identity (row-major) memrefs only
func.func @main_graph(%x: memref<4xf32>) -> memref<4xf32> {
  %t = memref.alloc() : memref<4xf32, strided<[2]>>
  %y = memref.alloc() : memref<4xf32>
  func.return %y : memref<4xf32>
}

// -----

// CHECK: // error: cannot emit C for 'memref.global': element type f6E2M3FN has no C type; the C target supports f16, f32, f64, bf16, f8E4M3FN, f8E4M3FNUZ, f8E5M2, f8E5M2FNUZ, f8E8M0FNU, f4E2M1FN, i1, i2, i4, i8-i64, ui2, ui4, ui8-ui64 and index
"memref.global"() <{sym_name = "w", sym_visibility = "private", type = memref<2xf6E2M3FN>, initial_value = dense<"0x0102"> : tensor<2xf6E2M3FN>, constant}> : () -> ()
func.func @main_graph(%x: memref<2xf32>) -> memref<2xf32> {
  %y = memref.alloc() : memref<2xf32>
  func.return %y : memref<2xf32>
}

// -----

// CHECK: // error: cannot find the entry function: no @main_graph, and 2 public functions (@a, @b); name the entry function @main_graph or make the others private
func.func @a(%x: memref<2xf32>) -> memref<2xf32> {
  func.return %x : memref<2xf32>
}
func.func @b(%x: memref<2xf32>) -> memref<2xf32> {
  func.return %x : memref<2xf32>
}

// -----

// Arithmetic on a narrow float (stored as bits) must come widened: an op on the bits is an error.
// CHECK: // error: cannot emit C for 'arith.addf': arithmetic on bf16 has no C form (narrow floats are stored as bits)
func.func @main_graph(%x: memref<2xbf16>) -> memref<2xbf16> {
  %c0 = arith.constant 0 : index
  %a = memref.load %x[%c0] : memref<2xbf16>
  %s = arith.addf %a, %a : bf16
  %y = memref.alloc() : memref<2xbf16>
  memref.store %s, %y[%c0] : memref<2xbf16>
  func.return %y : memref<2xbf16>
}
