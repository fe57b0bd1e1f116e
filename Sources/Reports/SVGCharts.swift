// Inline SVG charts of the report: a scatter plot of two objectives and a line chart of the
// hypervolume per iteration. Coordinates: x grows right, y grows down (SVG), so a y value is
// mapped from the scale's lower end at the bottom of the plot area to its upper end at the top.
import Foundation

/// Plot area geometry and the two scales of one chart; draws the frame, grid, ticks and labels.
struct ChartFrame {
  static let width = 580.0
  static let height = 400.0
  static let left = 74.0, right = 18.0, top = 40.0, bottom = 54.0

  var xScale: NiceScale
  var yScale: NiceScale

  var plotLeft: Double { Self.left }
  var plotRight: Double { Self.width - Self.right }
  var plotTop: Double { Self.top }
  var plotBottom: Double { Self.height - Self.bottom }

  func x(_ value: Double) -> Double { xScale.map(value, from: plotLeft, to: plotRight) }
  func y(_ value: Double) -> Double { yScale.map(value, from: plotBottom, to: plotTop) }

  /// Opening `<svg>` tag with a fixed view box (the page scales it to its column width). Inline SVG
  /// in HTML needs no `xmlns`, so the file holds no URL at all.
  func open(label: String) -> String {
    "<svg class=\"chart\" viewBox=\"0 0 \(f(Self.width)) \(f(Self.height))\" "
      + "role=\"img\" aria-label=\"\(HTML.escape(label))\">\n"
  }

  /// Plot background, grid lines, tick marks, tick labels and both axis titles.
  func axes(xLabel: String, yLabel: String) -> String {
    var svg = "<rect class=\"area\" x=\"\(f(plotLeft))\" y=\"\(f(plotTop))\" width=\"\(f(plotRight - plotLeft))\" "
      + "height=\"\(f(plotBottom - plotTop))\"/>\n"
    let xTicks = xScale.ticks, yTicks = yScale.ticks
    for (tick, text) in zip(xTicks, NumberFormat.tickLabels(xTicks, step: xScale.step)) {
      let px = f(x(tick))
      svg += "<line class=\"grid\" x1=\"\(px)\" y1=\"\(f(plotTop))\" x2=\"\(px)\" y2=\"\(f(plotBottom))\"/>"
      svg += "<line class=\"tick\" x1=\"\(px)\" y1=\"\(f(plotBottom))\" x2=\"\(px)\" y2=\"\(f(plotBottom + 5))\"/>"
      svg += "<text class=\"tl\" x=\"\(px)\" y=\"\(f(plotBottom + 18))\" text-anchor=\"middle\">\(HTML.escape(text))</text>\n"
    }
    for (tick, text) in zip(yTicks, NumberFormat.tickLabels(yTicks, step: yScale.step)) {
      let py = f(y(tick))
      svg += "<line class=\"grid\" x1=\"\(f(plotLeft))\" y1=\"\(py)\" x2=\"\(f(plotRight))\" y2=\"\(py)\"/>"
      svg += "<line class=\"tick\" x1=\"\(f(plotLeft - 5))\" y1=\"\(py)\" x2=\"\(f(plotLeft))\" y2=\"\(py)\"/>"
      svg += "<text class=\"tl\" x=\"\(f(plotLeft - 8))\" y=\"\(f(y(tick) + 4))\" text-anchor=\"end\">\(HTML.escape(text))</text>\n"
    }
    svg += "<line class=\"axis\" x1=\"\(f(plotLeft))\" y1=\"\(f(plotBottom))\" x2=\"\(f(plotRight))\" y2=\"\(f(plotBottom))\"/>"
    svg += "<line class=\"axis\" x1=\"\(f(plotLeft))\" y1=\"\(f(plotTop))\" x2=\"\(f(plotLeft))\" y2=\"\(f(plotBottom))\"/>\n"
    let midX = (plotLeft + plotRight) / 2, midY = (plotTop + plotBottom) / 2
    svg += "<text class=\"al\" x=\"\(f(midX))\" y=\"\(f(Self.height - 12))\" text-anchor=\"middle\">\(HTML.escape(xLabel))</text>\n"
    svg += "<text class=\"al\" x=\"16\" y=\"\(f(midY))\" text-anchor=\"middle\" "
      + "transform=\"rotate(-90 16 \(f(midY)))\">\(HTML.escape(yLabel))</text>\n"
    return svg
  }
}

/// A coordinate with one decimal (enough for a 580-unit view box, and keeps the file small).
func f(_ value: Double) -> String { String(format: "%.1f", value) }

/// Scatter plot of two objectives over all candidates.
enum ScatterPlot {
  /// The SVG for `x` against `y`, and how many points were left out for a missing or non-finite value.
  ///
  /// Each plotted candidate is one `<circle class="pt …">`: grey for ordinary candidates, hollow for
  /// infeasible ones, and `class="pt front"` (coloured, larger, drawn last) for the frontier.
  static func svg(_ data: ReportData, x xName: String, y yName: String) -> (svg: String, skipped: Int) {
    let xObjective = data.objective(named: xName), yObjective = data.objective(named: yName)
    var plotted: [(point: ReportPoint, x: Double, y: Double)] = []
    var skipped = 0
    for point in data.points {
      guard let vx = point.objectives[xName], let vy = point.objectives[yName], vx.isFinite, vy.isFinite else {
        skipped += 1
        continue
      }
      plotted.append((point, vx, vy))
    }
    let xs = plotted.map(\.x), ys = plotted.map(\.y)
    let frame = ChartFrame(xScale: NiceScale(minimum: xs.min() ?? 0, maximum: xs.max() ?? 1),
                           yScale: NiceScale(minimum: ys.min() ?? 0, maximum: ys.max() ?? 1))
    var svg = frame.open(label: "\(xName) vs \(yName)")
    svg += frame.axes(xLabel: xObjective.axisLabel, yLabel: yObjective.axisLabel)
    if plotted.isEmpty {
      svg += "<text class=\"empty\" x=\"\(f((frame.plotLeft + frame.plotRight) / 2))\" "
        + "y=\"\(f((frame.plotTop + frame.plotBottom) / 2))\" text-anchor=\"middle\">no points to plot</text>\n"
    }
    // Ordinary candidates first so the frontier is drawn on top.
    for entry in plotted where !entry.point.onFront {
      let kind = entry.point.feasible ? "pt" : "pt infeasible"
      svg += circle(kind, frame, entry, radius: 3, tooltip: tooltip(entry.point, data, [xName, yName]))
    }
    for entry in plotted where entry.point.onFront {
      svg += circle("pt front", frame, entry, radius: 5.5, tooltip: tooltip(entry.point, data, data.objectives.map(\.name)))
    }
    svg += legend(frame, plotted.map(\.point))
    svg += "</svg>\n"
    return (svg, skipped)
  }

  static func circle(_ kind: String, _ frame: ChartFrame, _ entry: (point: ReportPoint, x: Double, y: Double),
                     radius: Double, tooltip: String) -> String {
    "<circle class=\"\(kind)\" cx=\"\(f(frame.x(entry.x)))\" cy=\"\(f(frame.y(entry.y)))\" r=\"\(f(radius))\">"
      + "<title>\(HTML.escape(tooltip))</title></circle>\n"
  }

  /// Tooltip text: arch id, label, then `name = value unit` for each of `names` the point has.
  static func tooltip(_ point: ReportPoint, _ data: ReportData, _ names: [String]) -> String {
    var lines = [point.onFront ? "\(point.archID) (frontier)" : point.archID]
    if !point.label.isEmpty { lines.append(point.label) }
    for name in names {
      guard let value = point.objectives[name] else { continue }
      let unit = data.objective(named: name).unit
      lines.append("\(name) = \(NumberFormat.si(value))\(unit.isEmpty ? "" : " " + unit)")
    }
    if !point.feasible { lines.append("infeasible (violates a constraint)") }
    return lines.joined(separator: "\n")
  }

  /// Legend in the top margin: candidate / infeasible / frontier markers with counts.
  static func legend(_ frame: ChartFrame, _ points: [ReportPoint]) -> String {
    let front = points.filter(\.onFront).count
    let infeasible = points.filter { !$0.onFront && !$0.feasible }.count
    let ordinary = points.count - front - infeasible
    var entries: [(kind: String, radius: Double, text: String)] = [("lg", 3.5, "candidate (\(ordinary))")]
    if infeasible > 0 { entries.append(("lg infeasible", 3.5, "infeasible (\(infeasible))")) }
    entries.append(("lg front", 5.5, "Pareto frontier (\(front))"))
    var svg = "<g class=\"legend\">"
    var cursor = frame.plotLeft + 6
    let baseline = 22.0
    for entry in entries {
      svg += "<circle class=\"\(entry.kind)\" cx=\"\(f(cursor))\" cy=\"\(f(baseline - 4))\" r=\"\(f(entry.radius))\"/>"
      svg += "<text class=\"lt\" x=\"\(f(cursor + 10))\" y=\"\(f(baseline))\">\(HTML.escape(entry.text))</text>"
      cursor += 24 + Double(entry.text.count) * 6.6
    }
    return svg + "</g>\n"
  }
}

/// Line chart of the frontier's hypervolume after each iteration (numbered from 0, the initial
/// population, as the search numbers them).
enum HypervolumeChart {
  /// The SVG, and how many non-finite values were left out.
  static func svg(_ values: [Double]) -> (svg: String, skipped: Int) {
    let series = values.enumerated().compactMap { index, value in
      value.isFinite ? (x: Double(index), y: value) : nil
    }
    var xScale = NiceScale(minimum: 0, maximum: Double(max(values.count - 1, 1)))
    if xScale.step < 1 { xScale = NiceScale(lower: 0, upper: max(2, Double(values.count - 1)), step: 1) }
    let ys = series.map(\.y)
    let frame = ChartFrame(xScale: xScale, yScale: NiceScale(minimum: ys.min() ?? 0, maximum: ys.max() ?? 1))
    var svg = frame.open(label: "hypervolume per iteration")
    svg += frame.axes(xLabel: "iteration", yLabel: "hypervolume (↑ better)")
    let path = series.map { "\(f(frame.x($0.x))),\(f(frame.y($0.y)))" }.joined(separator: " ")
    if series.count > 1 { svg += "<polyline class=\"hvline\" points=\"\(path)\"/>\n" }
    for entry in series {
      svg += "<circle class=\"hv\" cx=\"\(f(frame.x(entry.x)))\" cy=\"\(f(frame.y(entry.y)))\" r=\"3\">"
        + "<title>iteration \(Int(entry.x)): \(NumberFormat.si(entry.y))</title></circle>\n"
    }
    svg += "</svg>\n"
    return (svg, values.count - series.count)
  }
}
