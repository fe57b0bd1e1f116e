/// Gathers by integer index: embedding lookup.

extension Tensor {
  /// Rows of `table` [V, D] picked by `ids` → [ids.count, D]. Every id must be in 0..<V.
  /// The gradient scatter-adds into the table rows (repeated ids accumulate).
  public static func embedding(_ table: Tensor, ids: [Int]) throws -> Tensor {
    guard table.rank == 2 else {
      throw TensorError.shapeMismatch(op: "embedding", shapes: [table.shape], reason: "the table must be [vocab, dim]")
    }
    let v = table.shape[0], d = table.shape[1]
    for id in ids where id < 0 || id >= v {
      throw TensorError.indexOutOfRange(op: "embedding", index: id, range: 0..<v, shape: table.shape)
    }
    let src = table.contiguous()
    let out = Tensor(uninitializedShape: [ids.count, d])
    for (i, id) in ids.enumerated() { (out.pointer + i * d).update(from: src.pointer + id * d, count: d) }
    if GradMode.shouldRecord(table) {
      out.record(Node(op: "embedding", inputs: [table]) { g in
        let gc = g.contiguous()
        let dt = Tensor.zeros([v, d])
        for (i, id) in ids.enumerated() {
          let dst = dt.pointer + id * d, row = gc.pointer + i * d
          for j in 0..<d { dst[j] += row[j] }
        }
        return [dt]
      })
    }
    return out
  }
}
