// swift-tools-version: 6.1
// MetaLearn: a Swift research framework for meta-learning.
// Layers (top depends on bottom, never the reverse): see docs/architecture.md.
import PackageDescription

/// One settings list for every Swift target: Swift 6 language mode with
/// complete strict concurrency checking.
let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableExperimentalFeature("StrictConcurrency"),
]

/// Algorithm plugins: one target per folder under Plugins/Algorithms/.
/// Each depends on the core only (MetaLearning, Layers, Autograd).
let algorithmPlugins = ["MAML", "Reptile", "MetaSGD", "ANIL", "ProtoNet", "MatchingNet", "Baseline", "NCA"]
/// Dataset plugins: one target per folder under Plugins/Datasets/.
let datasetPlugins = ["Omniglot", "Sinusoid"]

func algorithmTarget(_ name: String) -> Target {
    .target(
        name: "\(name)Plugin",
        dependencies: ["MetaLearning", "Layers", "Autograd"],
        path: "Plugins/Algorithms/\(name)",
        swiftSettings: strict)
}

func datasetTarget(_ name: String) -> Target {
    .target(
        name: "\(name)Plugin",
        dependencies: ["MetaLearning", "Autograd", "DatasetImport"],
        path: "Plugins/Datasets/\(name)",
        swiftSettings: strict)
}

let package = Package(
    name: "MetaLearn",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "metalearn", targets: ["metalearn"]),
        .library(name: "MetaLearning", targets: ["MetaLearning"]),
        .library(name: "Autograd", targets: ["Autograd"]),
        .library(name: "HDF5Storage", targets: ["HDF5Storage"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        // C system libraries (installed from Debian by scripts/install-deps.sh).
        .systemLibrary(name: "CHDF5", path: "Sources/CHDF5", pkgConfig: "hdf5-serial",
                       providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng",
                       providers: [.apt(["libpng-dev"])]),

        // Hand-vectorised C kernels (AVX2/FMA per function, chosen at run time).
        .target(name: "CConvKernels", path: "Sources/CConvKernels"),

        // Engine and models.
        .target(name: "Autograd",
                dependencies: ["CBLAS", "CConvKernels", .product(name: "Numerics", package: "swift-numerics")],
                swiftSettings: strict),
        .target(name: "Layers", dependencies: ["Autograd"], swiftSettings: strict),

        // Core: protocols, registry, sampling, loops, comparison engine.
        .target(name: "MetaLearning",
                dependencies: ["Autograd", "Layers", .product(name: "Logging", package: "swift-log")],
                swiftSettings: strict),

        // Storage: only these two modules know HDF5 exists.
        .target(name: "HDF5", dependencies: ["CHDF5"], swiftSettings: strict),
        .target(name: "HDF5Storage", dependencies: ["HDF5", "MetaLearning"], swiftSettings: strict),

        // Image decoding (PNG) and archive reading (zip) shared by dataset importers.
        .target(name: "DatasetImport",
                dependencies: ["MetaLearning", "CPNG", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
                swiftSettings: strict),

        // The one explicit list of shipped plugins.
        .target(name: "BuiltinPlugins",
                dependencies: ["MetaLearning"]
                    + algorithmPlugins.map { .target(name: "\($0)Plugin") }
                    + datasetPlugins.map { .target(name: "\($0)Plugin") },
                swiftSettings: strict),

        // Command-line tools.
        .executableTarget(name: "metalearn",
                          dependencies: ["BuiltinPlugins", "MetaLearning", "HDF5Storage", "DatasetImport", "Autograd",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser"),
                                         .product(name: "Logging", package: "swift-log")],
                          swiftSettings: strict),
        .executableTarget(name: "metalearn-bench",
                          dependencies: ["Autograd", "Layers", "MetaLearning", "BuiltinPlugins",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          swiftSettings: strict),

        // Helper process for the checkpoint crash-safety test (HDF5Tests/CrashSafetyTests).
        .executableTarget(name: "metalearn-h5-crashwriter", dependencies: ["HDF5Storage", "MetaLearning"],
                          path: "Tests/Support/CrashWriter", swiftSettings: strict),

        // Tests.
        .testTarget(name: "SystemLibrariesTests", dependencies: ["HDF5", "CBLAS", "CPNG"], swiftSettings: strict),
        .testTarget(name: "AutogradTests", dependencies: ["Autograd"], swiftSettings: strict),
        .testTarget(name: "HDF5Tests", dependencies: ["HDF5", "HDF5Storage", "MetaLearning"], swiftSettings: strict),
        .testTarget(name: "MetaLearningTests", dependencies: ["MetaLearning", "Layers", "Autograd", "BuiltinPlugins", "SinusoidPlugin"],
                    swiftSettings: strict),
        .testTarget(name: "DatasetImportTests",
                    dependencies: ["DatasetImport", "OmniglotPlugin", "HDF5Storage", "MetaLearning"],
                    swiftSettings: strict),
        .testTarget(name: "AlgorithmsTests",
                    dependencies: ["MetaLearning", "Layers", "Autograd", "BuiltinPlugins"]
                        + algorithmPlugins.map { .target(name: "\($0)Plugin") },
                    swiftSettings: strict),
        // End-to-end tests of the `metalearn` executable (run as a subprocess).
        .testTarget(name: "CLITests", dependencies: ["Autograd", "MetaLearning", "metalearn"], swiftSettings: strict),
    ]
    + algorithmPlugins.map(algorithmTarget)
    + datasetPlugins.map(datasetTarget)
)
