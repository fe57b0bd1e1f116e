// Plain-text table layout.
import Testing
@testable import Reports

@Suite struct TerminalTableTests {
  @Test func alignsColumnsAndRightAlignsNumbers() {
    let text = TerminalTable.render(columns: ["arch_id", "n_layer", "params"],
                                    rows: [["a1", "6", "12.3M"], ["bb22", "12", "110M"]])
    #expect(text == """
      arch_id  n_layer  params
      -------  -------  ------
      a1             6   12.3M
      bb22          12    110M

      """)
  }

  @Test func keyedRowsShortRowsAndNewlines() {
    let text = TerminalTable.render(columns: ["id", "note"], rows: [["id": "x"], ["id": "yy", "note": "a\nb"]])
    #expect(text == "id  note\n--  ----\nx\nyy  a b\n")
    #expect(TerminalTable.render(columns: ["a"], rows: [[String]]()) == "a\n-\n")
    #expect(TerminalTable.looksNumeric("-4.5k") && TerminalTable.looksNumeric("7%") && !TerminalTable.looksNumeric("L=2"))
  }
}
