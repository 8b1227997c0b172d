// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "TransportBench",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "bench", targets: ["bench"]),
        // For the microbenchmarks package in Benchmarks/.
        .library(name: "BenchCore", targets: ["BenchCore"]),
        .library(name: "BenchMessages", targets: ["BenchMessages"]),
        .library(name: "BenchServer", targets: ["BenchServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
        .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
    ],
    targets: [
        .target(
            name: "BenchMessages",
            dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")]
        ),
        .target(
            name: "BenchCore",
            dependencies: [
                "BenchMessages",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "CompressNIO", package: "compress-nio"),
            ],
            resources: [.embedInCode("Profiles/minimal.profile"), .embedInCode("Profiles/browser.profile")]
        ),
        // TLS: certificates made at start-up, swift-nio-ssl contexts, and the record census that
        // splits TLS bytes into handshake, record overhead and plaintext.
        .target(
            name: "BenchTLS",
            dependencies: [
                "BenchCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        .target(
            name: "BenchServer",
            dependencies: [
                "BenchCore", "BenchTLS",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ]
        ),
        .target(
            name: "BenchTransports",
            dependencies: [
                "BenchCore", "BenchMessages", "BenchServer", "BenchTLS",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
            ]
        ),
        // The only module that imports gRPC, so the core, engine and microbenchmarks build without it.
        .target(
            name: "BenchGRPC",
            dependencies: [
                "BenchCore", "BenchMessages", "BenchServer", "BenchTransports", "BenchTLS",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .target(
            name: "BenchEngine",
            dependencies: [
                "BenchCore", "BenchServer", "BenchTransports", "BenchTLS", "BenchRedis",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // The small Redis client (RESP2 on NIO) and the redis-server process of the scale-out backplane.
        .target(
            name: "BenchRedis",
            dependencies: [
                "BenchCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .target(
            name: "BenchReports",
            dependencies: [
                "BenchCore", "BenchMessages",
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .target(
            name: "BenchCLI",
            dependencies: [
                "BenchCore", "BenchServer", "BenchTransports", "BenchGRPC", "BenchEngine", "BenchReports", "BenchTLS",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(name: "bench", dependencies: ["BenchCLI"]),
        .testTarget(
            name: "BenchCoreTests",
            dependencies: [
                "BenchCore", "BenchMessages", .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "CompressNIO", package: "compress-nio"),
            ]
        ),
        .testTarget(
            name: "BenchTLSTests",
            dependencies: ["BenchCore", "BenchTLS", .product(name: "NIOCore", package: "swift-nio")]
        ),
        .testTarget(
            name: "BenchServerTests",
            dependencies: [
                "BenchCore", "BenchServer",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
            ]
        ),
        .testTarget(
            name: "BenchTransportsTests",
            dependencies: [
                "BenchCore", "BenchServer", "BenchTransports", "BenchTLS",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "BenchGRPCTests",
            dependencies: [
                "BenchCore", "BenchMessages", "BenchServer", "BenchTransports", "BenchGRPC", "BenchEngine",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "CompressNIO", package: "compress-nio"),
            ]
        ),
        // What more than one test target needs (a CPU hog beside a run); never part of bench.
        .target(name: "BenchTestSupport", path: "Tests/BenchTestSupport"),
        .testTarget(
            name: "BenchEngineTests", dependencies: ["BenchCore", "BenchServer", "BenchTLS", "BenchTransports", "BenchEngine", "BenchTestSupport"]),
        .testTarget(
            name: "BenchRedisTests",
            dependencies: [
                "BenchCore", "BenchRedis",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "BenchReportsTests", dependencies: ["BenchCore", "BenchMessages", "BenchReports"]),
        .testTarget(
            name: "BenchCLITests",
            dependencies: ["BenchCLI", "BenchCore", "BenchRedis", "BenchTestSupport", .product(name: "Histogram", package: "hdrhistogram-swift")]),
    ],
    swiftLanguageModes: [.v6]
)
