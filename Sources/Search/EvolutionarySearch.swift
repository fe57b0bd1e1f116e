import SearchSpaces

/// The LiteTransformerSearch evolutionary Pareto search (DESIGN.md; archai `EvolutionParetoSearch`).
///
/// Iteration 0 evaluates `populationSize` random samples. Each later iteration:
/// 1. draws `parents` (20) points from the feasible Pareto front of everything evaluated so far,
///    without replacement, each with weight 1 / (1 + times already chosen), so rarely chosen
///    points are preferred (all of the front when it is smaller; when nothing is feasible yet,
///    the evaluated candidates with the least constraint violation stand in for the front);
/// 2. proposes `mutations` (40) children, each a uniformly chosen parent with every gene
///    resampled with `mutationProbability` (0.3);
/// 3. proposes `crossovers` (40) children of two distinct random parents, each gene from the
///    second with `crossoverProbability` (0.5);
/// every child deduplicated by canonical key against everything seen (up to `patience` tries per
/// slot). The parents themselves are already evaluated, so an iteration evaluates the ≤ 80 new
/// children of its population of 100.
public struct EvolutionarySearch<Space: EvolutionarySpace>: Searcher {
  public static var algorithm: String { "evolution" }
  public let space: Space
  public let settings: SearchSettings

  public init(space: Space, settings: SearchSettings) {
    self.space = space
    self.settings = settings
  }

  public func nextPopulation(_ ctx: inout BreedContext<Space>) {
    let archive = ctx.archive
    var pool = archive.feasibleFront(settings.objectives)
    if pool.isEmpty { pool = archive.closestInfeasible(settings.parents) }
    guard !pool.isEmpty else {
      ctx.proposeRandom(settings.mutations + settings.crossovers)
      return
    }
    let parents = Self.selectParents(pool.map { archive.records[$0].archID }, count: settings.parents,
                                     counts: &ctx.state.selectionCounts, rng: &ctx.rng)
    let configs = parents.map { archive.configs[pool[$0]] }
    let ids = parents.map { archive.records[pool[$0]].archID }
    let s = space, pm = settings.mutationProbability, pc = settings.crossoverProbability
    for _ in 0..<settings.mutations {
      ctx.proposeFirstUnseen(origin: "mutation") { rng in
        let i = rng.nextIndex(configs.count)
        return (s.mutate(configs[i], probability: pm, using: &rng), [ids[i]])
      }
    }
    for _ in 0..<settings.crossovers {
      ctx.proposeFirstUnseen(origin: "crossover") { rng in
        let i = rng.nextIndex(configs.count)
        var j = configs.count > 1 ? rng.nextIndex(configs.count - 1) : i
        if configs.count > 1 && j >= i { j += 1 }
        return (s.crossover(configs[i], configs[j], probability: pc, using: &rng), [ids[i], ids[j]])
      }
    }
  }

  /// Weighted sampling without replacement of `count` positions of `ids`, weight 1 / (1 + n)
  /// with n the times the id was chosen before; increments the counts of the chosen.
  static func selectParents(_ ids: [String], count: Int, counts: inout [String: Int], rng: inout SplitMix64) -> [Int] {
    var left = Array(ids.indices)
    var chosen: [Int] = []
    while chosen.count < count, !left.isEmpty {
      let w = left.map { 1.0 / Double(1 + counts[ids[$0], default: 0]) }
      var u = rng.nextUnit() * w.reduce(0, +)
      var k = 0
      while k < w.count - 1 && u >= w[k] { u -= w[k]; k += 1 }
      chosen.append(left.remove(at: k))
    }
    for i in chosen { counts[ids[i], default: 0] += 1 }
    return chosen
  }
}

/// Random search baseline: every iteration proposes `populationSize` fresh, unseen samples.
public struct RandomSearch<Space: SearchSpace>: Searcher {
  public static var algorithm: String { "random" }
  public let space: Space
  public let settings: SearchSettings

  public init(space: Space, settings: SearchSettings) {
    self.space = space
    self.settings = settings
  }

  public func nextPopulation(_ ctx: inout BreedContext<Space>) { ctx.proposeRandom(settings.populationSize) }
}
