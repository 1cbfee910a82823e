// RUN: infer-opt %s | infer-opt | filecheck %s
// Every elementwise op prints in its custom form and parses back.

// CHECK-LABEL: func.func @unary
func.func @unary(%x: tensor<?x4xf32>, %i: tensor<?x4xi32>) -> (tensor<?x4xf32>, tensor<?x4xi32>) {
  // CHECK: %[[NEG:.*]] = infer.neg %{{.*}} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %neg = infer.neg %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: infer.abs %[[NEG]] : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %abs = infer.abs %neg : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: infer.sign
  %sign = infer.sign %abs : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: infer.relu
  %relu = infer.relu %sign : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: infer.exp
  %exp = infer.exp %relu : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: infer.log
  %log = infer.log %exp : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: infer.sqrt
  %sqrt = infer.sqrt %log : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: infer.reciprocal
  %rec = infer.reciprocal %sqrt : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: infer.tanh
  %tanh = infer.tanh %rec : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: infer.sigmoid
  %sig = infer.sigmoid %tanh : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: infer.erf
  %erf = infer.erf %sig : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: infer.floor
  %floor = infer.floor %erf : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: infer.ceil
  %ceil = infer.ceil %floor : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: infer.round
  %round = infer.round %ceil : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: infer.sin
  %sin = infer.sin %round : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: infer.cos
  %cos = infer.cos %sin : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: infer.tan
  %tan = infer.tan %cos : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: infer.asin
  %asin = infer.asin %tan : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: infer.acos
  %acos = infer.acos %asin : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: infer.atan
  %atan = infer.atan %acos : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: infer.sinh
  %sinh = infer.sinh %atan : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: infer.cosh
  %cosh = infer.cosh %sinh : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: infer.asinh
  %asinh = infer.asinh %cosh : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: infer.acosh
  %acosh = infer.acosh %asinh : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: %[[ATANH:.*]] = infer.atanh
  %atanh = infer.atanh %acosh : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: %[[ID:.*]] = infer.identity %[[ATANH]] : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %id = infer.identity %atanh : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: %[[INEG:.*]] = infer.neg %{{.*}} : (tensor<?x4xi32>) -> tensor<?x4xi32>
  %ineg = infer.neg %i : (tensor<?x4xi32>) -> tensor<?x4xi32>
  // CHECK: func.return %[[ID]], %[[INEG]]
  func.return %id, %ineg : tensor<?x4xf32>, tensor<?x4xi32>
}

// CHECK-LABEL: func.func @predicates
func.func @predicates(%x: tensor<?x4xf32>, %b: tensor<?x4xi1>) -> (tensor<?x4xi1>, tensor<?x4xi1>, tensor<?x4xi1>) {
  // CHECK: infer.is_nan %{{.*}} : (tensor<?x4xf32>) -> tensor<?x4xi1>
  %nan = infer.is_nan %x : (tensor<?x4xf32>) -> tensor<?x4xi1>
  // CHECK: infer.is_inf %{{.*}} : (tensor<?x4xf32>) -> tensor<?x4xi1>
  %inf = infer.is_inf %x : (tensor<?x4xf32>) -> tensor<?x4xi1>
  // CHECK: infer.is_inf %{{.*}} {detect_negative = false} : (tensor<?x4xf32>) -> tensor<?x4xi1>
  %pinf = infer.is_inf %x {detect_negative = false} : (tensor<?x4xf32>) -> tensor<?x4xi1>
  // CHECK: infer.not %{{.*}} : (tensor<?x4xi1>) -> tensor<?x4xi1>
  %not = infer.not %b : (tensor<?x4xi1>) -> tensor<?x4xi1>
  func.return %nan, %pinf, %not : tensor<?x4xi1>, tensor<?x4xi1>, tensor<?x4xi1>
}

// CHECK-LABEL: func.func @binary
func.func @binary(%x: tensor<?x64x?x?xf32>, %b: tensor<1x64x1x1xf32>, %i: tensor<4xi64>, %j: tensor<1xi64>) -> (tensor<?x64x?x?xf32>, tensor<4xi64>) {
  // CHECK: %[[A:.*]] = infer.add %{{.*}}, %{{.*}} : (tensor<?x64x?x?xf32>, tensor<1x64x1x1xf32>) -> tensor<?x64x?x?xf32>
  %a = infer.add %x, %b : (tensor<?x64x?x?xf32>, tensor<1x64x1x1xf32>) -> tensor<?x64x?x?xf32>
  // CHECK: %[[S:.*]] = infer.sub %[[A]], %{{.*}}
  %s = infer.sub %a, %b : (tensor<?x64x?x?xf32>, tensor<1x64x1x1xf32>) -> tensor<?x64x?x?xf32>
  // CHECK: infer.mul %[[S]]
  %m = infer.mul %s, %b : (tensor<?x64x?x?xf32>, tensor<1x64x1x1xf32>) -> tensor<?x64x?x?xf32>
  // CHECK: infer.div
  %d = infer.div %m, %b : (tensor<?x64x?x?xf32>, tensor<1x64x1x1xf32>) -> tensor<?x64x?x?xf32>
  // CHECK: infer.pow
  %p = infer.pow %d, %b : (tensor<?x64x?x?xf32>, tensor<1x64x1x1xf32>) -> tensor<?x64x?x?xf32>
  // CHECK: infer.max
  %mx = infer.max %p, %b : (tensor<?x64x?x?xf32>, tensor<1x64x1x1xf32>) -> tensor<?x64x?x?xf32>
  // CHECK: %[[MN:.*]] = infer.min
  %mn = infer.min %mx, %b : (tensor<?x64x?x?xf32>, tensor<1x64x1x1xf32>) -> tensor<?x64x?x?xf32>
  // CHECK: infer.mod %{{.*}}, %{{.*}} : (tensor<4xi64>, tensor<1xi64>) -> tensor<4xi64>
  %mod = infer.mod %i, %j : (tensor<4xi64>, tensor<1xi64>) -> tensor<4xi64>
  // CHECK: %[[F:.*]] = infer.mod %{{.*}}, %{{.*}} {fmod} : (tensor<4xi64>, tensor<1xi64>) -> tensor<4xi64>
  %fmod = infer.mod %mod, %j {fmod} : (tensor<4xi64>, tensor<1xi64>) -> tensor<4xi64>
  // CHECK: func.return %[[MN]], %[[F]]
  func.return %mn, %fmod : tensor<?x64x?x?xf32>, tensor<4xi64>
}

// CHECK-LABEL: func.func @compare_and_logic
func.func @compare_and_logic(%x: tensor<2x1x4xf32>, %y: tensor<3x1xf32>) -> tensor<2x3x4xi1> {
  %y3 = infer.unsqueeze %y {axes = array<i64: 0>} : (tensor<3x1xf32>) -> tensor<1x3x1xf32>
  // CHECK: %[[EQ:.*]] = infer.equal %{{.*}}, %{{.*}} : (tensor<2x1x4xf32>, tensor<1x3x1xf32>) -> tensor<2x3x4xi1>
  %eq = infer.equal %x, %y3 : (tensor<2x1x4xf32>, tensor<1x3x1xf32>) -> tensor<2x3x4xi1>
  // CHECK: %[[LT:.*]] = infer.less
  %lt = infer.less %x, %y3 : (tensor<2x1x4xf32>, tensor<1x3x1xf32>) -> tensor<2x3x4xi1>
  // CHECK: %[[LE:.*]] = infer.less_equal
  %le = infer.less_equal %x, %y3 : (tensor<2x1x4xf32>, tensor<1x3x1xf32>) -> tensor<2x3x4xi1>
  // CHECK: %[[GT:.*]] = infer.greater
  %gt = infer.greater %x, %y3 : (tensor<2x1x4xf32>, tensor<1x3x1xf32>) -> tensor<2x3x4xi1>
  // CHECK: %[[GE:.*]] = infer.greater_equal
  %ge = infer.greater_equal %x, %y3 : (tensor<2x1x4xf32>, tensor<1x3x1xf32>) -> tensor<2x3x4xi1>
  // CHECK: %[[AND:.*]] = infer.and %[[EQ]], %[[LT]] : (tensor<2x3x4xi1>, tensor<2x3x4xi1>) -> tensor<2x3x4xi1>
  %and = infer.and %eq, %lt : (tensor<2x3x4xi1>, tensor<2x3x4xi1>) -> tensor<2x3x4xi1>
  // CHECK: %[[OR:.*]] = infer.or %[[AND]], %[[LE]]
  %or = infer.or %and, %le : (tensor<2x3x4xi1>, tensor<2x3x4xi1>) -> tensor<2x3x4xi1>
  // CHECK: %[[XOR:.*]] = infer.xor %[[OR]], %[[GT]]
  %xor = infer.xor %or, %gt : (tensor<2x3x4xi1>, tensor<2x3x4xi1>) -> tensor<2x3x4xi1>
  // CHECK: func.return %[[XOR]]
  func.return %xor : tensor<2x3x4xi1>
}

// CHECK-LABEL: func.func @select_clip_cast
func.func @select_clip_cast(%c: tensor<?x1xi1>, %x: tensor<?x4xf32>, %y: tensor<1x4xf32>, %i: tensor<4xi32>) -> (tensor<?x4xf32>, tensor<4xi32>, tensor<?x4xi64>) {
  // CHECK: %[[SEL:.*]] = infer.select %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x1xi1>, tensor<?x4xf32>, tensor<1x4xf32>) -> tensor<?x4xf32>
  %s = infer.select %c, %x, %y : (tensor<?x1xi1>, tensor<?x4xf32>, tensor<1x4xf32>) -> tensor<?x4xf32>
  // CHECK: %[[CLIP:.*]] = infer.clip %[[SEL]] {min = 0.000000e+00 : f64, max = 6.000000e+00 : f64} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %clip = infer.clip %s {min = 0.0 : f64, max = 6.0 : f64} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: %[[ICLIP:.*]] = infer.clip %{{.*}} {max = 100 : i64} : (tensor<4xi32>) -> tensor<4xi32>
  %iclip = infer.clip %i {max = 100 : i64} : (tensor<4xi32>) -> tensor<4xi32>
  // CHECK: %[[CAST:.*]] = infer.cast %[[CLIP]] : (tensor<?x4xf32>) -> tensor<?x4xi64>
  %cast = infer.cast %clip : (tensor<?x4xf32>) -> tensor<?x4xi64>
  // CHECK: func.return %[[CLIP]], %[[ICLIP]], %[[CAST]]
  func.return %clip, %iclip, %cast : tensor<?x4xf32>, tensor<4xi32>, tensor<?x4xi64>
}

// Casts to the narrow types: saturate (float8) and round_mode (f8E8M0FNU).
// CHECK-LABEL: func.func @cast_narrow
// CHECK: infer.cast %{{.*}} {saturate} : (tensor<?x4xf32>) -> tensor<?x4xf8E4M3FNUZ>
// CHECK: infer.cast %{{.*}} {saturate, round_mode = "down"} : (tensor<?x4xf32>) -> tensor<?x4xf8E8M0FNU>
// CHECK: infer.cast %{{.*}} : (tensor<?x4xbf16>) -> tensor<?x4xf4E2M1FN>
// CHECK: infer.add %{{.*}}, %{{.*}} : (tensor<?x4xbf16>, tensor<?x4xbf16>) -> tensor<?x4xbf16>
func.func @cast_narrow(%x: tensor<?x4xf32>, %b: tensor<?x4xbf16>) -> (tensor<?x4xf8E4M3FNUZ>, tensor<?x4xf8E8M0FNU>, tensor<?x4xf4E2M1FN>, tensor<?x4xbf16>) {
  %a = infer.cast %x {saturate} : (tensor<?x4xf32>) -> tensor<?x4xf8E4M3FNUZ>
  %e = infer.cast %x {saturate, round_mode = "down"} : (tensor<?x4xf32>) -> tensor<?x4xf8E8M0FNU>
  %f = infer.cast %b : (tensor<?x4xbf16>) -> tensor<?x4xf4E2M1FN>
  %s = infer.add %b, %b : (tensor<?x4xbf16>, tensor<?x4xbf16>) -> tensor<?x4xbf16>
  func.return %a, %e, %f, %s : tensor<?x4xf8E4M3FNUZ>, tensor<?x4xf8E8M0FNU>, tensor<?x4xf4E2M1FN>, tensor<?x4xbf16>
}
