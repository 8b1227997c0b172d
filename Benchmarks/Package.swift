// swift-tools-version: 6.1
// Microbenchmarks, kept in their own package so `swift test` on TransportBench never builds
// them. Run from this folder: `swift package benchmark` (see README.md here).
import PackageDescription

let package = Package(
    name: "TransportBenchBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "TransportBench", path: ".."),
        // MallocInterposer only: the Swift 6.3 runtime interposer is not available here.
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
    ],
    targets: [
        .executableTarget(
            name: "EncodingBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "BenchCore", package: "TransportBench"),
                .product(name: "BenchMessages", package: "TransportBench"),
            ],
            path: "Encoding",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "MeasurementBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "BenchCore", package: "TransportBench"),
                .product(name: "BenchServer", package: "TransportBench"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            path: "Measurement",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
