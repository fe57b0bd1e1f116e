import Foundation
import Testing
@testable import SearchSpaces

/// The GPT-2 space: parsing, validation errors, and that every sampled / bred config is valid and
/// inside the space.
@Suite struct GPT2SpaceTests {
  @Test func ltsSpaceHasThePaperValues() throws {
    let s = GPT2Space.lts
    #expect(s.nLayer == .range(min: 2, max: 16, step: 1))
    #expect(s.dModel.all == Array(stride(from: 128, through: 1024, by: 64)))
    #expect(s.dInner.count == 63)
    #expect(s.dInnerAtLeastDModel)
    #expect(s.nHead == .values([2, 4, 8]))
    #expect(s.divVal == .values([1, 2, 4]))
    #expect(s.dEmbed == .tiedToDModel)
    #expect(s.vocabSize == .just(50257) && s.nPositions == .just(192))
    #expect(s.maxLayers == 16)
  }

  @Test func thousandsOfSamplesAreValidAndInTheSpace() throws {
    var rng = SplitMix64(seed: 7)
    let s = GPT2Space.lts
    var layers = Set<Int>(), heads = Set<Int>(), divs = Set<Int>()
    for _ in 0..<5000 {
      let c = s.sample(using: &rng)
      try c.validate()
      #expect(s.violation(of: c) == nil)
      #expect(c.dInner.count == 16 && c.nHead.count == 16)
      #expect(c.embedWidth == c.dModel)
      #expect(c.activeInner.allSatisfy { $0 >= c.dModel && $0 % 64 == 0 })
      layers.insert(c.nLayer); heads.formUnion(c.activeHeads); divs.insert(c.divVal)
    }
    #expect(layers == Set(2...16))
    #expect(heads == [2, 4, 8])
    #expect(divs == [1, 2, 4])
  }

  @Test func mutationsAndCrossoversStayValidAndInTheSpace() throws {
    var rng = SplitMix64(seed: 11)
    let s = GPT2Space.lts
    var changed = 0
    for _ in 0..<2000 {
      let a = s.sample(using: &rng), b = s.sample(using: &rng)
      let m = s.mutate(a, probability: 0.3, using: &rng)
      let x = s.crossover(a, b, probability: 0.5, using: &rng)
      for c in [m, x] {
        try c.validate()
        #expect(s.violation(of: c) == nil)
      }
      if m.canonicalKey != a.canonicalKey { changed += 1 }
      // Crossover genes come from a parent unless a rule forced a redraw.
      #expect(x.nLayer == a.nLayer || x.nLayer == b.nLayer)
      #expect(x.dModel == a.dModel || x.dModel == b.dModel)
    }
    #expect(changed > 1900)
  }

  @Test func mutationWithZeroProbabilityKeepsTheConfig() {
    var rng = SplitMix64(seed: 3)
    let s = GPT2Space.lts
    let a = s.sample(using: &rng)
    #expect(s.mutate(a, probability: 0, using: &rng) == a)
    #expect(s.crossover(a, s.sample(using: &rng), probability: 0, using: &rng) == a)
  }

  @Test func mutationRepairsDependentGenes() {
    // A config whose heads / widths fit d_model 128 but not a new d_model: repair keeps rules.
    let s = try! GPT2Space.parse("""
      n_layer: 2
      d_model: [96, 128]
      d_inner: {min: 64, max: 256, step: 32, at_least_d_model: true}
      n_head: [3, 4]
      """)
    var rng = SplitMix64(seed: 5)
    let base = GPT2Config(nLayer: 2, dModel: 128, dInner: [128, 128], nHead: [4, 4], dEmbed: 128)
    for _ in 0..<500 {
      let m = s.mutate(base, probability: 0.5, using: &rng)
      #expect(s.violation(of: m) == nil)
      if m.dModel == 96 { #expect(m.nHead.allSatisfy { 96 % $0 == 0 }) }
    }
  }

  @Test func sameSeedSameSamples() {
    var r1 = SplitMix64(seed: 42), r2 = SplitMix64(seed: 42)
    let a = (0..<50).map { _ in GPT2Space.lts.sample(using: &r1).archID }
    let b = (0..<50).map { _ in GPT2Space.lts.sample(using: &r2).archID }
    #expect(a == b)
    #expect(Set(a).count == 50)
  }

  @Test func containsNamesTheFieldOutside() {
    let s = GPT2Space.lts
    var c = GPT2Config(nLayer: 3, dModel: 512, dInner: [1024, 2048, 1536], nHead: [8, 4, 8], dEmbed: 512)
    #expect(s.contains(c))
    c.dInner[1] = 2050
    #expect(s.violation(of: c)?.field == "d_inner[1]")
    c.dInner[1] = 256
    #expect(s.violation(of: c)?.rule.contains("≥ d_model") == true)
    c.dInner[1] = 1024
    c.nLayer = 17
    c.dInner += Array(repeating: 1024, count: 14); c.nHead += Array(repeating: 8, count: 14)
    #expect(s.violation(of: c)?.field == "n_layer")
    c.nLayer = 3
    c.dEmbed = 256
    #expect(s.violation(of: c)?.field == "d_embed")
    c.dEmbed = -1
    c.nHead[2] = 16
    #expect(s.violation(of: c)?.field == "n_head[2]")
    c.nHead[2] = 3   // invalid config: validate() reports it first
    #expect(s.violation(of: c)?.rule.contains("must divide d_model") == true)
  }

  @Test func jsonSpaceFileWorksToo() throws {
    let s = try GPT2Space.parse("""
      {"backbone": "gpt2", "n_layer": [2, 4], "d_model": {"min": 64, "max": 128, "step": 64},
       "d_inner": {"min": 64, "max": 512, "step": 64}, "n_head": [2, 4], "div_val": 1,
       "d_embed": [64, 128], "vocab_size": 1000, "n_positions": 64}
      """)
    #expect(s.nLayer == .values([2, 4]))
    #expect(s.dEmbed == .choices(.values([64, 128])))
    var rng = SplitMix64(seed: 1)
    for _ in 0..<500 {
      let c = s.sample(using: &rng)
      try c.validate()
      #expect(s.contains(c))
    }
    #expect(s.spaceKey != GPT2Space.lts.spaceKey)
  }

  @Test func loadReadsAFileAndNamesItInErrors() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lts-space-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let good = dir.appendingPathComponent("space.yaml").path
    try GPT2Space.ltsSpaceFile.write(toFile: good, atomically: true, encoding: .utf8)
    #expect(try GPT2Space.load(path: good) == GPT2Space.lts)
    let bad = dir.appendingPathComponent("bad.yaml").path
    try "n_layer: 2\nd_model: 128\nd_inner: 256\nn_head: [3]\n".write(toFile: bad, atomically: true, encoding: .utf8)
    let e = #expect(throws: ConfigError.self) { try GPT2Space.load(path: bad) }
    #expect(e?.file == bad)
    #expect(e?.field == "n_head" && e?.line == 4)
    #expect(throws: ConfigError.self) { try GPT2Space.load(path: dir.appendingPathComponent("none.yaml").path) }
  }

  /// Each broken space file gives the expected field and a rule fragment.
  @Test(arguments: [
    ("n_layer: {min: 4, max: 2}\nd_model: 128\nd_inner: 256\nn_head: 2", "n_layer", "min must be ≤ max"),
    ("n_layer: 2\nd_model: {min: 64, max: 128, step: 0}\nd_inner: 256\nn_head: 2", "d_model.step", "≥ 1"),
    ("n_layer: 2\nd_model: 128\nd_inner: 256\nn_head: [2, 3]", "n_head", "divides no d_model"),
    ("n_layer: 2\nd_model: [96, 100]\nd_inner: 256\nn_head: [64]", "n_head", "divides no d_model"),
    ("n_layer: 2\nd_model: [96, 128]\nd_inner: 256\nn_head: [64]", "d_model", "no n_head choice"),
    ("n_layer: 2\nd_model: 128\nd_inner: 256\nn_head: 2\nn_heads: 4", "n_heads", "not a field"),
    ("n_layer: 2\nd_model: 128\nd_inner: {min: 1, max: 64, at_least_d_model: true}\nn_head: 2", "d_inner", "at_least_d_model"),
    ("n_layer: 2\nd_model: 128\nd_inner: {min: 1, max: 64, stp: 2}\nn_head: 2", "d_inner.stp", "a range has"),
    ("n_layer: 2\nd_model: 128\nd_inner: [256, 256]\nn_head: 2", "d_inner[1]", "duplicate"),
    ("n_layer: 2\nd_model: 128\nd_inner: 256\nn_head: 2\ndiv_val: [3]", "div_val", "divisible"),
    ("n_layer: 2\nd_model: 128\nd_inner: 256", "n_head", "required"),
    ("n_layer: 2\nd_model: 128\nd_inner: 256\nn_head: x", "n_head", "expected an integer"),
    ("backbone: transformer-xl\nn_layer: 2\nd_model: 128\nd_inner: 256\nn_head: 2", "backbone", "expected gpt2"),
    ("n_layer: 0\nd_model: 128\nd_inner: 256\nn_head: 2", "n_layer", "≥ 1"),
    ("[1, 2]", "(space)", "mapping"),
  ])
  func badSpacesAreDescribed(text: String, field: String, rule: String) {
    let e = #expect(throws: ConfigError.self) { try GPT2Space.parse(text, file: "s.yaml") }
    #expect(e?.field == field)
    #expect(e?.rule.contains(rule) == true, "rule was: \(e?.rule ?? "-")")
    #expect(e?.file == "s.yaml")
  }

  @Test func fileTextRoundTrips() throws {
    let spaces = [
      GPT2Space.lts,
      try GPT2Space.parse("n_layer: [1, 3]\nd_model: [64, 96]\nd_inner: {choices: [96, 128, 512], at_least_d_model: true}\nn_head: [1, 2]\nd_embed: [32, 64]\nvocab_size: {min: 100, max: 300, step: 100}\ncutoffs: [50, 150]\ndiv_val: [1, 2]"),
    ]
    for s in spaces {
      #expect(try GPT2Space.parse(s.fileText) == s)
    }
    #expect(spaces[1].dInnerAtLeastDModel && spaces[1].dInner == .values([96, 128, 512]))
  }

  @Test func divValIsDrawnOnlyWhereTheEmbeddingSplits() throws {
    // 3 clusters (cutoffs 19997, 39997 < 50257): div_val 4 needs d_embed % 16 == 0, so not 72.
    let s = try GPT2Space.parse("n_layer: 1\nd_model: [64, 72]\nd_inner: 256\nn_head: [8]\ndiv_val: [1, 2, 4]")
    var rng = SplitMix64(seed: 2)
    var seen = Set<[Int]>()
    for _ in 0..<2000 {
      let c = s.sample(using: &rng)
      try c.validate()
      seen.insert([c.dModel, c.divVal])
      let m = s.mutate(c, probability: 0.5, using: &rng)
      try m.validate()
    }
    #expect(seen == [[64, 1], [64, 2], [64, 4], [72, 1], [72, 2]])
    let e = #expect(throws: ConfigError.self) { try GPT2Space.parse("n_layer: 1\nd_model: 72\nd_inner: 256\nn_head: [8]\ndiv_val: [1, 4]") }
    #expect(e?.field == "div_val" && e?.value == "4")
    let e2 = #expect(throws: ConfigError.self) { try GPT2Space.parse("n_layer: 1\nd_model: 72\nd_inner: 256\nn_head: [8]\ndiv_val: [4]\nd_embed: [80, 90]") }
    #expect(e2?.field == "d_embed" && e2?.value == "90")
  }

  @Test func intChoicesBasics() {
    var rng = SplitMix64(seed: 9)
    let r = IntChoices.range(min: 128, max: 1000, step: 64)
    #expect(r.count == 14 && r.maxValue == 960 && r.contains(192) && !r.contains(200) && !r.contains(1024))
    #expect(r.description == "128–1000 step 64")
    for _ in 0..<200 {
      let v = r.sample(atLeast: 900, using: &rng)
      #expect(v == 960)
      #expect(r.sample(atLeast: 961, using: &rng) == nil)
    }
    #expect(IntChoices.values([2, 4, 8]).sample(where: { 12 % $0 == 0 }, using: &rng).map { [2, 4].contains($0) } == true)
  }

  @Test func nextIndexIsUniformEnough() {
    var rng = SplitMix64(seed: 1)
    var counts = [Int](repeating: 0, count: 3)
    for _ in 0..<30_000 { counts[rng.nextIndex(3)] += 1 }
    #expect(counts.allSatisfy { abs($0 - 10_000) < 400 })
  }
}
