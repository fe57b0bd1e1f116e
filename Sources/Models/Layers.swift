import TensorEngine

/// Layer norm parameters shared by the backbones (weight 1, bias 0 at init); `eps` is the
/// backbone's (GPT-2 1e-5, BERT/ELECTRA 1e-12).
final class LayerNormParams {
  let weight: Tensor, bias: Tensor
  let eps: Float
  init(_ c: Int, eps: Float = 1e-5) {
    weight = Tensor.full([c], 1, requiresGrad: true)
    bias = Tensor.zeros([c], requiresGrad: true)
    self.eps = eps
  }
  func callAsFunction(_ x: Tensor) throws -> Tensor { try x.layerNorm(weight: weight, bias: bias, eps: eps) }
  /// (`name.weight`, `name.bias`), checkpoint names.
  func parameters(_ name: String) -> [(name: String, tensor: Tensor)] { [(name + ".weight", weight), (name + ".bias", bias)] }
}
