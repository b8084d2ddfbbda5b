// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    // Generic declarations (method params, result members) are specialised where the
    // daemon's concrete types use them, not looked up at run time on every request.
    .unsafeFlags(["-cross-module-optimization"], .when(configuration: .release)),
]

/// The packet path and the benchmark harness are optimised in debug builds too: the
/// tests move gigabytes through them (1 GB transfers checked by SHA-256), which an
/// unoptimised build cannot do within the test budget.
let optimisedInDebug: [SwiftSetting] = strict + [.unsafeFlags(["-O"], .when(configuration: .debug))]

/// The libFuzzer binary exists only in fuzz builds (`make fuzz`: NETSOCK_FUZZ=1 and
/// `--sanitize=fuzzer`), where libFuzzer supplies `main`.
let fuzzTargets: [Target] = Context.environment["NETSOCK_FUZZ"] == "1"
    ? [.executableTarget(name: "netsock-fuzz", dependencies: ["NetSockFuzz"], swiftSettings: strict)] : []

let package = Package(
    name: "netsock",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "netsockd", targets: ["netsockd"]),
        .executable(name: "netsockctl", targets: ["netsockctl"]),
        .executable(name: "netsock-bench", targets: ["netsock-bench"]),
        .executable(name: "netsock-modem-sim", targets: ["netsock-modem-sim"]),
        .executable(name: "netsock-wifi-sim", targets: ["netsock-wifi-sim"]),
        .library(name: "NSAPI", targets: ["NSAPI"]),
        .library(name: "NetSockClient", targets: ["NetSockClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CJansson",
            pkgConfig: "jansson",
            providers: [.apt(["libjansson-dev"])]
        ),
        .target(name: "CNetSockLinux"),
        // Debian's libmbedtls-dev: Mbed TLS as the devices netsockd stands in for use it.
        .target(
            name: "CNetSockTLS",
            linkerSettings: [.linkedLibrary("mbedtls"), .linkedLibrary("mbedx509"), .linkedLibrary("mbedcrypto")]),
        .target(name: "NSAPI", swiftSettings: strict),
        .target(name: "NetSockJSON", dependencies: ["CJansson"], swiftSettings: strict),
        .target(name: "NetSockWire", dependencies: ["NSAPI"], swiftSettings: optimisedInDebug),
        .target(name: "NetSockStack", dependencies: ["NSAPI", "NetSockWire"], swiftSettings: optimisedInDebug),
        .target(name: "NetSockRPC", dependencies: ["NSAPI", "NetSockJSON"], swiftSettings: strict),
        .target(name: "NetSockPOSIX", dependencies: ["NSAPI", "NetSockStack", "NetSockWire", "CNetSockLinux"], swiftSettings: strict),
        .target(name: "NetSockTLS", dependencies: ["NSAPI", "CNetSockTLS"], swiftSettings: strict),
        .target(name: "NetSockCellular", dependencies: ["NSAPI", "NetSockStack"], swiftSettings: strict),
        .target(name: "NetSockWiFi", dependencies: ["NSAPI"], swiftSettings: strict),
        .target(
            name: "NetSockDaemon",
            dependencies: [
                "NSAPI", "NetSockJSON", "NetSockRPC", "NetSockPOSIX", "NetSockWire", "NetSockStack", "NetSockTLS", "NetSockCellular", "NetSockWiFi",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(name: "NetSockClient", dependencies: ["NSAPI", "NetSockJSON", "NetSockRPC", "NetSockPOSIX"], swiftSettings: strict),
        .target(
            name: "NetSockCtl",
            dependencies: [
                "NetSockClient", "NetSockJSON", "NetSockRPC", "NetSockPOSIX", "NetSockWire", "NetSockStack", "NSAPI", "CNetSockLinux",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "NetSockBench",
            dependencies: [
                "NetSockClient", "NetSockJSON", "NetSockRPC", "NetSockPOSIX", "NetSockWire", "NetSockStack", "NSAPI", "CNetSockLinux",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: optimisedInDebug
        ),
        .target(
            name: "NetSockTestSupport",
            dependencies: ["NetSockClient", "NetSockJSON", "NetSockRPC", "NetSockPOSIX", "CNetSockLinux"],
            swiftSettings: strict
        ),
        .executableTarget(name: "netsockd", dependencies: ["NetSockDaemon"], swiftSettings: strict),
        .executableTarget(name: "netsockctl", dependencies: ["NetSockCtl"], swiftSettings: strict),
        .executableTarget(name: "netsock-bench", dependencies: ["NetSockBench"], swiftSettings: strict),
        .executableTarget(
            name: "netsock-modem-sim",
            dependencies: ["NetSockCellular", "NetSockPOSIX", "NetSockJSON", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict),
        .executableTarget(
            name: "netsock-wifi-sim",
            dependencies: ["NetSockWiFi", "NSAPI", "NetSockPOSIX", "CNetSockLinux", "NetSockJSON", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict),
        .target(
            name: "NetSockFuzz",
            dependencies: [
                "NetSockRPC", "NetSockJSON", "NetSockWire", "NetSockStack", "NetSockPOSIX", "NetSockDaemon", "NetSockTLS", "NetSockCellular", "NetSockWiFi",
                "NSAPI",
            ],
            swiftSettings: strict
        ),

        .testTarget(name: "NSAPITests", dependencies: ["NSAPI"], swiftSettings: strict),
        .testTarget(name: "NetSockFuzzTests", dependencies: ["NetSockFuzz"], swiftSettings: strict),
        .testTarget(name: "NetSockJSONTests", dependencies: ["NetSockJSON"], swiftSettings: strict),
        .testTarget(name: "NetSockWireTests", dependencies: ["NetSockWire", "NSAPI"], swiftSettings: strict),
        .testTarget(name: "NetSockStackTests", dependencies: ["NetSockStack", "NetSockWire", "NSAPI"], swiftSettings: strict),
        .testTarget(name: "NetSockRPCTests", dependencies: ["NetSockRPC", "NetSockJSON", "NSAPI"], swiftSettings: strict),
        .testTarget(name: "NetSockPOSIXTests", dependencies: ["NetSockPOSIX"], swiftSettings: strict),
        .testTarget(
            name: "NetSockCellularTests", dependencies: ["NetSockCellular", "NetSockStack", "NetSockPOSIX", "NetSockTestSupport", "netsock-modem-sim"],
            swiftSettings: strict),
        .testTarget(name: "NetSockWiFiTests", dependencies: ["NetSockWiFi", "NSAPI", "NetSockPOSIX", "NetSockTestSupport"], swiftSettings: strict),
        .testTarget(name: "NetSockTLSTests", dependencies: ["NetSockTLS", "NetSockTestSupport", "NetSockPOSIX", "NSAPI"], swiftSettings: strict),
        .testTarget(
            name: "NetSockDaemonTests",
            dependencies: ["NetSockDaemon", "NetSockRPC", "NetSockJSON", "NSAPI"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "NetSockCtlTests",
            dependencies: ["NetSockCtl", "NetSockClient", "NetSockRPC", "NetSockJSON", "NSAPI"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "NetSockConformanceTests",
            dependencies: ["NetSockTestSupport", "NetSockClient", "NetSockJSON", "NetSockRPC", "NetSockWire", "NetSockPOSIX", "NSAPI", "netsockd", "netsockctl"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "NetSockIntegrationTests",
            dependencies: [
                "NetSockTestSupport", "NetSockClient", "NetSockJSON", "NetSockRPC", "NetSockPOSIX", "NetSockWire", "NetSockStack",
                "NSAPI", "netsockd", "netsockctl", "netsock-bench",
            ],
            swiftSettings: strict
        ),
    ] + fuzzTargets
)
