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
    ],
    targets: [
        // C shims: module maps + tiny C wrappers. Include and link flags come from pkg-config.
        .systemLibrary(name: "CLibJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg-dev"])]),
        .target(name: "CJPEG", dependencies: ["CLibJPEG"]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .target(name: "CSystem"),

        // Swift modules, one per concern (see Docs/ARCHITECTURE.md).
        .target(name: "Imaging", dependencies: ["CJPEG", "CPNG"]),
        .target(name: "Tensor", dependencies: ["CBLAS"], swiftSettings: numericSettings),
        .target(name: "Encoder", dependencies: ["Tensor", "CSystem"], swiftSettings: numericSettings),
        .target(name: "Index", dependencies: ["Tensor"]),
        .target(name: "Clustering", dependencies: ["Tensor", "Index"]),
        .executableTarget(
            name: "herd",
            dependencies: [
                "Imaging", "Tensor", "Encoder", "Index", "Clustering",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "CJPEG", "CPNG"]),
        .testTarget(name: "TensorTests", dependencies: ["Tensor"]),
        .testTarget(name: "EncoderTests", dependencies: ["Encoder", "Tensor"], resources: [.copy("Fixtures")]),
        .testTarget(name: "IndexTests", dependencies: ["Index", "Tensor"]),
        .testTarget(name: "ClusteringTests", dependencies: ["Clustering", "Index", "Tensor"]),
        .testTarget(name: "HerdEndToEndTests", dependencies: ["herd"]),
    ],
    swiftLanguageModes: [.v6]
)
