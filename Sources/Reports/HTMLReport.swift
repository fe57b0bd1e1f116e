// The search report as one self-contained HTML file: inline CSS and inline SVG, no script, no
// external reference, so it opens offline from disk and can be mailed or archived as it is.

/// Renders `ReportData` as a single HTML page.
public enum HTMLReport {
  /// The complete HTML document: title, summary, one scatter plot per `data.effectivePlots`, the
  /// hypervolume chart (when `data.hypervolume` is not empty), the frontier table, the settings and
  /// timings tables and the notes. All text is escaped. Points with a missing or non-finite value
  /// are left out of the plot that needs it, and a note says how many.
  ///
  /// Every plotted candidate is exactly one `<circle class="pt…">` (`class="pt front"` for the
  /// frontier), so `points × plots` circles appear when every value is finite.
  public static func render(_ data: ReportData) -> String {
    var notes: [String] = []
    var figures = ""
    for plot in data.effectivePlots {
      let (svg, skipped) = ScatterPlot.svg(data, x: plot.x, y: plot.y)
      figures += "<figure>\n\(svg)<figcaption>\(HTML.escape(data.objective(named: plot.y).name)) against "
        + "\(HTML.escape(data.objective(named: plot.x).name)); hover a point for its values.</figcaption></figure>\n"
      if skipped > 0 {
        notes.append("\(skipped) of \(data.points.count) candidates lack a finite \(plot.x) or \(plot.y) "
          + "value and are not shown in the \(plot.x) vs \(plot.y) plot.")
      }
    }
    if data.points.isEmpty { notes.append("No candidates were evaluated, so the plots are empty.") }
    if !data.hypervolume.isEmpty {
      let (svg, skipped) = HypervolumeChart.svg(data.hypervolume)
      figures += "<figure>\n\(svg)<figcaption>Hypervolume of the frontier after each iteration.</figcaption></figure>\n"
      if skipped > 0 { notes.append("\(skipped) non-finite hypervolume values are not shown.") }
    }
    notes += data.notes

    let front = data.points.filter(\.onFront).count
    let feasible = data.points.filter(\.feasible).count
    let table = data.effectiveFrontTable
    var html = """
      <!DOCTYPE html>
      <html lang="en">
      <head>
      <meta charset="utf-8">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <title>\(HTML.escape(data.title))</title>
      <style>\(style)</style>
      </head>
      <body>
      <h1>\(HTML.escape(data.title))</h1>
      <p class="summary">\(data.points.count) candidates evaluated · \(front) on the Pareto frontier · \
      \(feasible) feasible</p>
      <section class="plots">
      \(figures)</section>

      """
    html += "<h2>Pareto frontier (\(table.rows.count))</h2>\n"
    html += tableHTML(columns: table.columns, rows: table.rows.map { row in table.columns.map { row[$0] ?? "" } },
                      cls: "front")
    html += "<section class=\"meta\">\n"
    if !data.settings.isEmpty {
      html += "<div><h2>Settings</h2>\n" + tableHTML(columns: ["setting", "value"], rows: data.settings.map { [$0.0, $0.1] }, cls: "kv") + "</div>\n"
    }
    if !data.timings.isEmpty {
      html += "<div><h2>Timings</h2>\n" + tableHTML(columns: ["phase", "time"], rows: data.timings.map { [$0.0, $0.1] }, cls: "kv") + "</div>\n"
    }
    html += "</section>\n"
    if !notes.isEmpty {
      html += "<h2>Notes</h2>\n<ul class=\"notes\">\n"
      html += notes.map { "<li>\(HTML.escape($0))</li>\n" }.joined()
      html += "</ul>\n"
    }
    html += "</body>\n</html>\n"
    return html
  }

  /// A `<table>` with a header row; in the frontier table (`cls == "front"`) cells that look
  /// numeric are right-aligned so digits line up.
  static func tableHTML(columns: [String], rows: [[String]], cls: String) -> String {
    let alignNumbers = cls == "front"
    var html = "<table class=\"\(cls)\">\n<thead><tr>"
    html += columns.map { "<th>\(HTML.escape($0))</th>" }.joined()
    html += "</tr></thead>\n<tbody>\n"
    if rows.isEmpty {
      html += "<tr><td colspan=\"\(max(columns.count, 1))\" class=\"none\">none</td></tr>\n"
    }
    for row in rows {
      html += "<tr>" + row.map { cell in
        alignNumbers && TerminalTable.looksNumeric(cell) ? "<td class=\"num\">\(HTML.escape(cell))</td>" : "<td>\(HTML.escape(cell))</td>"
      }.joined() + "</tr>\n"
    }
    return html + "</tbody></table>\n"
  }

  /// The page's stylesheet (system fonts only, so nothing is fetched).
  static let style = """

    body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #202124;
           margin: 24px auto; max-width: 1200px; padding: 0 16px; }
    h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 22px 0 8px; }
    .summary { color: #5f6368; margin: 0 0 12px; }
    .plots { display: flex; flex-wrap: wrap; gap: 12px; }
    figure { margin: 0; flex: 1 1 460px; max-width: 580px; box-sizing: border-box; border: 1px solid #dadce0;
             border-radius: 6px; padding: 6px; }
    figcaption { color: #5f6368; font-size: 12px; padding: 0 6px 4px; }
    svg.chart { width: 100%; height: auto; display: block; font-family: system-ui, sans-serif; }
    .area { fill: #fff; } .grid { stroke: #eceff1; } .tick, .axis { stroke: #5f6368; }
    .tl { font-size: 11px; fill: #5f6368; } .al { font-size: 13px; fill: #202124; } .lt { font-size: 12px; fill: #202124; }
    .empty { font-size: 14px; fill: #9aa0a6; }
    circle.pt, circle.lg { fill: #9aa0a6; fill-opacity: 0.55; }
    circle.pt.infeasible, circle.lg.infeasible { fill: none; stroke: #9aa0a6; stroke-width: 1.2; }
    circle.pt.front, circle.lg.front { fill: #d93025; fill-opacity: 0.95; stroke: #fff; stroke-width: 1.2; }
    circle.pt:hover { stroke: #202124; stroke-width: 2; }
    .hvline { fill: none; stroke: #1a73e8; stroke-width: 2; } circle.hv { fill: #1a73e8; }
    table { border-collapse: collapse; font-size: 13px; }
    th, td { border-bottom: 1px solid #e8eaed; padding: 4px 10px; text-align: left; white-space: nowrap; }
    th { background: #f1f3f4; font-weight: 600; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
    td.none { color: #9aa0a6; font-style: italic; }
    table.front { display: block; overflow-x: auto; max-width: 100%; }
    .meta { display: flex; flex-wrap: wrap; gap: 32px; }
    .notes { color: #5f6368; }

    """
}
