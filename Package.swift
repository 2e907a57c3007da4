// swift-tools-version:6.0
import PackageDescription

/// herd: an incremental clustering daemon for photo libraries.
/// Module map and rules: Docs/ARCHITECTURE.md (from the project's DESIGN notes).
/// `HERD_TARGET_CPU=native swift build -c release` (or a CPU name such as `skylake-avx512`) compiles
/// the numeric modules for that CPU's vector width; the default build runs on any x86-64.
let numericSettings: [SwiftSetting] = Context.environment["HERD_TARGET_CPU"].map { [.unsafeFlags(["-target-cpu", $0])] } ?? []

let package = Package(
    name: "herd",
    products: [
        .executable(name: "herd", targets: ["herd"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", exact: "0.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
    ],
    targets: [
        // C shims: module maps + tiny C wrappers. Include and link flags come from pkg-config.
        .systemLibrary(name: "CLibJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg-dev"])]),
        .target(name: "CJPEG", dependencies: ["CLibJPEG"]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CHeif", pkgConfig: "libheif", providers: [.apt(["libheif-dev"])]),
        .systemLibrary(name: "CWebP", pkgConfig: "libwebpdemux", providers: [.apt(["libwebp-dev"])]),
        // libavif's pkg-config file adds -DAVIF_DLL, which SwiftPM refuses; its header is on the default path.
        .systemLibrary(name: "CAvif", providers: [.apt(["libavif-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .target(name: "CSystem"),
        // bf16 GEMM kernels (AVX512_BF16), compiled per function for that ISA and chosen at run time.
        .target(name: "CKernels"),
        // oneDNN's bf16 matmul (Debian: libdnnl-dev, oneDNN 2.6; no pkg-config file, headers in /usr/include)
        // behind plain C functions; libgomp is its threading runtime, whose thread count herd sets.
        .target(name: "CDNNL", linkerSettings: [.linkedLibrary("dnnl"), .linkedLibrary("gomp")]),

        // Swift modules, one per concern (see Docs/ARCHITECTURE.md).
        .target(name: "Imaging", dependencies: ["CJPEG", "CPNG", "CHeif", "CWebP", "CAvif"]),
        .target(name: "Tensor", dependencies: ["CBLAS", "CKernels", "CDNNL", "CSystem"], swiftSettings: numericSettings),
        .target(
            name: "Encoder",
            dependencies: ["Tensor", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: numericSettings),
        .target(name: "Index", dependencies: ["Tensor"]),
        .target(name: "Clustering", dependencies: ["Tensor", "Index"]),
        .target(name: "Catalog", dependencies: [.product(name: "GRDB", package: "GRDB.swift")]),
        .target(
            name: "Daemon",
            dependencies: [
                "Catalog", "Imaging", "Encoder", "Tensor", "Index", "Clustering", "CSystem",
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "herd",
            dependencies: [
                "Imaging", "Tensor", "Encoder", "Index", "Clustering",
                "Catalog", "Daemon",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        .executableTarget(name: "imaging-bench", dependencies: ["Imaging"]),
        // Benchmarks and method experiments for Index and Clustering (release builds; prints figures).
        .executableTarget(name: "herd-bench", dependencies: ["Tensor", "Index", "Clustering"], path: "bench"),

        // Helpers shared by the test targets (a stand-in systemd socket, the shared data folder).
        .target(name: "HerdTestSupport", dependencies: [.product(name: "Crypto", package: "swift-crypto")], path: "Tests/HerdTestSupport"),

        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "CJPEG", "CPNG", "HerdTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "TensorTests", dependencies: ["Tensor", "CKernels", "HerdTestSupport"]),
        .testTarget(name: "EncoderTests", dependencies: ["Encoder", "Tensor", "HerdTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "IndexTests", dependencies: ["Index", "Tensor"]),
        .testTarget(name: "ClusteringTests", dependencies: ["Clustering", "Index", "Tensor", "HerdTestSupport"]),
        .testTarget(name: "HerdEndToEndTests", dependencies: ["herd", "HerdTestSupport", "Imaging"]),
        .testTarget(name: "CatalogTests", dependencies: ["Catalog", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "DaemonTests", dependencies: ["Daemon", "Catalog", "Imaging", "Encoder", "Tensor", "HerdTestSupport", .product(name: "Crypto", package: "swift-crypto")]),
    ],
    swiftLanguageModes: [.v6]
)
