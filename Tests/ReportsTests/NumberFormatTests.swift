// SI formatting, nice axis scales and tick labels.
import Testing
@testable import Reports

@Suite struct NumberFormatTests {
  @Test func siFormatting() {
    #expect(NumberFormat.si(12_345_678) == "12.3M")
    #expect(NumberFormat.si(1_500) == "1.5k")
    #expect(NumberFormat.si(999.96) == "1k")
    #expect(NumberFormat.si(999_700) == "1M")
    #expect(NumberFormat.si(2.5e9) == "2.5G")
    #expect(NumberFormat.si(4.567) == "4.57")
    #expect(NumberFormat.si(123.4) == "123")
    #expect(NumberFormat.si(0.012345) == "0.0123")
    #expect(NumberFormat.si(-3_200_000) == "-3.2M")
    #expect(NumberFormat.si(0) == "0")
    #expect(NumberFormat.si(.nan) == "NaN")
    #expect(NumberFormat.si(-.infinity) == "-inf")
  }

  @Test func niceScaleCoversDataWithRoundTicks() {
    let scale = NiceScale(minimum: 23e6, maximum: 118e6)
    #expect(scale.lower <= 23e6 && scale.upper >= 118e6)
    #expect(scale.step == 20e6)
    #expect(scale.ticks == [20e6, 40e6, 60e6, 80e6, 100e6, 120e6])
    #expect(NumberFormat.tickLabels(scale.ticks, step: scale.step) == ["20M", "40M", "60M", "80M", "100M", "120M"])
  }

  @Test func tickLabelsKeepEnoughDecimals() {
    let scale = NiceScale(minimum: 1.2, maximum: 3.1)
    #expect(scale.step == 0.5)
    #expect(NumberFormat.tickLabels(scale.ticks, step: scale.step) == ["1.0", "1.5", "2.0", "2.5", "3.0", "3.5"])
    #expect(NumberFormat.tickLabels([0, 5e5, 1e6, 1.5e6], step: 5e5) == ["0", "0.5M", "1.0M", "1.5M"])
  }

  @Test func degenerateRangesAreWidened() {
    let flat = NiceScale(minimum: 3, maximum: 3)
    #expect(flat.lower < 3 && flat.upper > 3 && flat.step > 0)
    let zero = NiceScale(minimum: 0, maximum: 0)
    #expect(zero.lower < 0 && zero.upper > 0)
    let nonFinite = NiceScale(minimum: .nan, maximum: .infinity)
    #expect(nonFinite.lower.isFinite && nonFinite.upper.isFinite && nonFinite.upper > nonFinite.lower)
    // A non-negative range is not pushed below zero by the margin.
    #expect(NiceScale(minimum: 0, maximum: 10).lower == 0)
    #expect(flat.map(3, from: 0, to: 100) > 0 && flat.map(3, from: 0, to: 100) < 100)
  }
}
