// Structural checks on the rendered HTML string: point counts, escaping, self-containment, edge cases.
import Foundation
import Testing
@testable import Reports

@Suite struct HTMLReportTests {
  @Test func everyPointIsOneCircleInEachDefaultPlot() throws {
    let data = Fixtures.report(60)
    let html = HTMLReport.render(data)
    let front = data.points.filter(\.onFront).count
    #expect(data.effectivePlots.map(\.x) == ["decoder_params", "decoder_params"])
    #expect(data.effectivePlots.map(\.y) == ["latency_ms", "memory_mb"])
    #expect(Fixtures.count("<circle class=\"pt", in: html) == 60 * 2)
    #expect(Fixtures.count("<circle class=\"pt front\"", in: html) == front * 2)
    #expect(Fixtures.count("<circle class=\"pt infeasible\"", in: html) == data.points.filter { !$0.feasible }.count * 2)
    #expect(front > 0 && front < 60)
    #expect(Fixtures.count("<svg", in: html) == 3)  // two scatter plots + hypervolume
    #expect(Fixtures.count("<circle class=\"hv\"", in: html) == 12)
    // Frontier table: one body row per frontier point, each naming its arch id.
    let table = try #require(html.range(of: "<table class=\"front\">"))
    let tableHTML = String(html[table.lowerBound...].split(separator: "</table>")[0])
    #expect(Fixtures.count("<tr><td", in: tableHTML) == front)
    #expect(tableHTML.contains("<td class=\"num\">"))
    for point in data.points where point.onFront { #expect(tableHTML.contains(point.archID)) }
    #expect(html.contains("Pareto frontier (\(front))"))
    #expect(html.contains("<td>seed</td><td>42</td>"))
    #expect(html.contains("1m 52s"))
  }

  @Test func customPlotListControlsCircleCount() {
    var data = Fixtures.report(10)
    data.plots = [(x: "latency_ms", y: "memory_mb")]
    let html = HTMLReport.render(data)
    #expect(Fixtures.count("<circle class=\"pt", in: html) == 10)
    #expect(html.contains("latency_ms (ms, ↓ better)"))
  }

  @Test func textIsEscaped() {
    var data = Fixtures.report(3)
    data.title = "R&D <run>"
    data.points[0].label = "<script>alert(1)</script> & co"
    data.points[0].onFront = true
    data.settings = [("space", "a<b & \"c\"")]
    data.notes = ["x < y"]
    let html = HTMLReport.render(data)
    #expect(html.contains("<title>R&amp;D &lt;run&gt;</title>"))
    #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"))
    #expect(!html.contains("<script"))
    #expect(html.contains("a&lt;b &amp; &quot;c&quot;"))
    #expect(html.contains("<li>x &lt; y</li>"))
    #expect(HTML.escape("a'b") == "a&#39;b")
  }

  @Test func isSelfContained() {
    let html = HTMLReport.render(Fixtures.report(20))
    #expect(!html.lowercased().contains("http"))
    #expect(!html.contains("<script"))
    #expect(!html.contains("<link"))
    #expect(!html.contains("src="))
    #expect(html.hasPrefix("<!DOCTYPE html>"))
    #expect(html.hasSuffix("</html>\n"))
  }

  @Test func frontierTooltipGivesArchIDAndValues() throws {
    let data = Fixtures.report(30)
    let html = HTMLReport.render(data)
    let point = try #require(data.points.first { $0.onFront })
    let latency = NumberFormat.si(point.objectives["latency_ms"]!)
    #expect(html.contains("<title>\(point.archID) (frontier)\n\(point.label)\n"))
    #expect(html.contains("latency_ms = \(latency) ms"))
  }

  @Test func emptyAndSinglePointReportsRender() {
    let empty = HTMLReport.render(ReportData(title: "empty", objectives: Fixtures.objectives, points: []))
    #expect(Fixtures.count("<circle class=\"pt", in: empty) == 0)
    #expect(empty.contains("no points to plot"))
    #expect(empty.contains("No candidates were evaluated"))
    #expect(Fixtures.nonFiniteCoordinates(in: empty) == 0)

    let one = ReportData(title: "one", objectives: Fixtures.objectives,
                         points: [ReportPoint(archID: "x", objectives: ["decoder_params": 5e6, "latency_ms": 2,
                                                                        "memory_mb": 30], onFront: true)])
    let html = HTMLReport.render(one)
    #expect(Fixtures.count("<circle class=\"pt front\"", in: html) == 2)
    #expect(Fixtures.nonFiniteCoordinates(in: html) == 0)
    // A single point sits in the middle of the plot area (x from 74 to 562), not on an edge.
    #expect(Fixtures.count("cx=\"318.0\"", in: html) == 2)
  }

  @Test func allEqualValuesDoNotDivideByZero() {
    let points = (0..<5).map {
      ReportPoint(archID: "p\($0)", objectives: ["decoder_params": 1e7, "latency_ms": 3, "memory_mb": 0])
    }
    let html = HTMLReport.render(ReportData(title: "flat", objectives: Fixtures.objectives, points: points))
    #expect(Fixtures.count("<circle class=\"pt\"", in: html) == 10)
    #expect(Fixtures.nonFiniteCoordinates(in: html) == 0)
    #expect(Fixtures.count("cx=\"318.0\"", in: html) == 10)
  }

  @Test func nonFiniteValuesAreSkippedWithANote() {
    var data = Fixtures.report(10)
    data.points[2].objectives["latency_ms"] = .nan
    data.points[5].objectives["memory_mb"] = .infinity
    data.points[6].objectives["memory_mb"] = nil
    data.hypervolume = [1, .nan, 3]
    let html = HTMLReport.render(data)
    #expect(Fixtures.count("<circle class=\"pt", in: html) == 9 + 8)
    #expect(html.contains("1 of 10 candidates lack a finite decoder_params or latency_ms value"))
    #expect(html.contains("2 of 10 candidates lack a finite decoder_params or memory_mb value"))
    #expect(html.contains("1 non-finite hypervolume values are not shown."))
    #expect(Fixtures.count("<circle class=\"hv\"", in: html) == 2)
    #expect(Fixtures.nonFiniteCoordinates(in: html) == 0)
  }

  @Test func defaultFrontTableListsObjectives() {
    let data = ReportData(title: "t", objectives: Fixtures.objectives, points: [
      ReportPoint(archID: "f1", label: "L=2", objectives: ["decoder_params": 12_345_678, "latency_ms": 4.567,
                                                           "memory_mb": 88], onFront: true),
      ReportPoint(archID: "g1", objectives: ["decoder_params": 1, "latency_ms": 9, "memory_mb": 99]),
    ])
    let table = data.effectiveFrontTable
    #expect(table.columns == ["arch_id", "config", "decoder_params", "latency_ms", "memory_mb"])
    #expect(table.rows == [["arch_id": "f1", "config": "L=2", "decoder_params": "12.3M", "latency_ms": "4.57",
                            "memory_mb": "88"]])
  }
}
