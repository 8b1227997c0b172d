import Foundation

/// The charts' axes: linear from 0, and logarithmic over whole decades.
extension SVGCharts {
    /// A linear axis from 0 to a round maximum, with 5 ticks.
    struct LinearAxis {
        let maximum: Double
        let step: Double

        init(maximum: Double) {
            let raw = Swift.max(maximum, 1e-9) / 5
            let magnitude = pow(10, floor(log10(raw)))
            let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
            self.step = step
            self.maximum = step * 5
        }

        func scale(_ value: Double) -> Double { value / maximum * SVGCharts.plotWidth }

        func render(bottom: Double, label: String) -> String {
            var out = #"<line x1="\#(number(labelWidth))" y1="\#(number(bottom))" x2="\#(number(labelWidth + plotWidth))" y2="\#(number(bottom))" stroke="black"/>"# + "\n"
            for index in 0...5 {
                let value = step * Double(index)
                let x = labelWidth + scale(value)
                out += #"<line x1="\#(number(x))" y1="\#(number(top - 4))" x2="\#(number(x))" y2="\#(number(bottom + 4))" stroke="lightgray"/>"# + "\n"
                out += text(x: x, y: bottom + 18, Format.decimal(value, places: step < 1 ? 2 : 0), anchor: "middle")
            }
            return out + text(x: labelWidth + plotWidth / 2, y: bottom + 34, label, anchor: "middle")
        }
    }

    /// A base-10 logarithmic axis over whole decades that hold every value.
    struct LogAxis {
        let lowDecade: Double
        let highDecade: Double

        init(minimum: Double, maximum: Double) {
            // Half a decade of room at least below the smallest value.
            lowDecade = floor(log10(Swift.max(minimum, 1e-6)) - 0.3)
            highDecade = Swift.max(lowDecade + 1, ceil(log10(Swift.max(maximum, 1e-6))))
        }

        /// Bars start at the axis' lowest decade.
        func scale(_ value: Double) -> Double {
            (log10(value) - lowDecade) / (highDecade - lowDecade) * SVGCharts.plotWidth
        }

        func render(bottom: Double, label: String) -> String {
            var out = #"<line x1="\#(number(labelWidth))" y1="\#(number(bottom))" x2="\#(number(labelWidth + plotWidth))" y2="\#(number(bottom))" stroke="black"/>"# + "\n"
            for decade in stride(from: lowDecade, through: highDecade, by: 1) {
                let value = pow(10, decade)
                let x = labelWidth + scale(value)
                out += #"<line x1="\#(number(x))" y1="\#(number(top - 4))" x2="\#(number(x))" y2="\#(number(bottom + 4))" stroke="lightgray"/>"# + "\n"
                out += text(x: x, y: bottom + 18, value >= 1 ? Format.decimal(value, places: 0) : Format.decimal(value, places: Int(-decade)), anchor: "middle")
            }
            return out + text(x: labelWidth + plotWidth / 2, y: bottom + 34, label, anchor: "middle")
        }
    }
}
