import SearchSpaces

/// NSGA-II (Deb et al. 2002) over a breedable space, with constrained domination.
///
/// The parent population P (size `populationSize`) is kept in `StrategyState.population`. After
/// each iteration, P ∪ (the iteration's offspring) is ranked, feasible candidates first by
/// non-dominated sorting and crowding distance, then infeasible ones by increasing violation, and
/// the best `populationSize` become the new P. Offspring: two binary tournaments (lower rank,
/// then larger crowding distance) pick the parents, crossover with `crossoverProbability` per
/// gene, then mutation with `mutationProbability` per gene; `populationSize` unseen children.
public struct NSGA2Search<Space: EvolutionarySpace>: Searcher {
  public static var algorithm: String { "nsga2" }
  public let space: Space
  public let settings: SearchSettings

  public init(space: Space, settings: SearchSettings) {
    self.space = space
    self.settings = settings
  }

  public func nextPopulation(_ ctx: inout BreedContext<Space>) {
    let archive = ctx.archive
    let previous = ctx.iteration - 1
    var pool = Set(ctx.state.population.compactMap { id in archive.records.firstIndex { $0.archID == id } })
    for (i, r) in archive.records.enumerated() where r.iteration == previous { pool.insert(i) }
    let candidates = pool.sorted().filter { archive.records[$0].evaluated }
    let (order, rank, crowd) = rankAll(candidates, archive)
    let parents = Array(order.prefix(settings.populationSize))
    ctx.state.population = parents.map { archive.records[$0].archID }
    guard !parents.isEmpty else {
      ctx.proposeRandom(settings.populationSize)
      return
    }
    func better(_ a: Int, _ b: Int) -> Int {
      if rank[a]! != rank[b]! { return rank[a]! < rank[b]! ? a : b }
      if crowd[a]! != crowd[b]! { return crowd[a]! > crowd[b]! ? a : b }
      return min(a, b)
    }
    let s = space, pm = settings.mutationProbability, pc = settings.crossoverProbability
    for _ in 0..<settings.populationSize {
      ctx.proposeFirstUnseen(origin: "offspring") { rng in
        let a = better(parents[rng.nextIndex(parents.count)], parents[rng.nextIndex(parents.count)])
        let b = better(parents[rng.nextIndex(parents.count)], parents[rng.nextIndex(parents.count)])
        let child = s.crossover(archive.configs[a], archive.configs[b], probability: pc, using: &rng)
        return (s.mutate(child, probability: pm, using: &rng), [archive.records[a].archID, archive.records[b].archID])
      }
    }
  }

  /// Sorted order (best first), rank and crowding distance of archive indices.
  func rankAll(_ idx: [Int], _ archive: Archive<Space.Config>) -> ([Int], [Int: Int], [Int: Double]) {
    let feasible = idx.filter { archive.records[$0].feasible }
    let infeasible = idx.filter { !archive.records[$0].feasible }
      .sorted { archive.records[$0].violation != archive.records[$1].violation ? archive.records[$0].violation < archive.records[$1].violation : $0 < $1 }
    var order: [Int] = [], rank: [Int: Int] = [:], crowd: [Int: Double] = [:]
    let dirs = settings.objectives.map(\.higherIsBetter)
    let fronts = Pareto.nonDominatedSort(feasible.map { archive.records[$0].values }, higherIsBetter: dirs)
    for (r, f) in fronts.enumerated() {
      let members = f.map { feasible[$0] }
      let d = Pareto.crowdingDistance(members.map { archive.records[$0].values })
      for (k, m) in members.enumerated() { rank[m] = r; crowd[m] = d[k] }
      order += members.indices.sorted { d[$0] != d[$1] ? d[$0] > d[$1] : members[$0] < members[$1] }.map { members[$0] }
    }
    for (k, m) in infeasible.enumerated() { rank[m] = fronts.count + k; crowd[m] = 0 }
    return (order + infeasible, rank, crowd)
  }
}
