// swift-tools-version: 6.1
import PackageDescription

// Dependency direction (each layer only imports the ones before it):
//   WinnowCore (pure: model, CSV/NPY parsing, config, text safety; CPixelKernels: its pixel loops in C)
//   WinnowAnalysis (pure: confident learning, label-quality signals)
//   WinnowNeighbours (k-nearest neighbours: own exact kernels by CPU features, hnswlib approximate)
//   WinnowHelperModel (pure: cross-validated logistic regression on features, OpenBLAS)
//   WinnowDataset (reads a dataset folder into a validated snapshot)
//   WinnowStore (the project store: its contract as protocols by role, and the SQLite implementation)
//   WinnowPostgres (the same project store in PostgreSQL, through postgres-nio; in progress)
//   WinnowPostgresServer (a throwaway PostgreSQL server on a Unix socket, for tests and benchmarks; Foundation only)
//   WinnowImaging (decodes PNG/JPEG/WebP with Debian's libraries; encodes PNG)
//   WinnowGraphics (terminal image protocols: sixel, kitty, iTerm2; capability detection)
//   WinnowUI (pure: review state, actions, reducer, rendering into a cell buffer)
//   WinnowTerminal (the ncurses backend and event loop that runs WinnowUI)
//   WinnowSession (the application layer: project, analysis session and caches, review sources, leases, stats, export)
//   WinnowCLI (commands: parse arguments, call the session, print)
//   winnow (the executable: calls WinnowCLI)
//   WinnowBench, winnow-bench (benchmarks against reference tools: beside WinnowCLI, on WinnowSession; not shipped)
let package = Package(
    name: "Winnow",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "winnow", targets: ["winnow"]),
        // Benchmarks and measurements (`make bench-*`): built with the package, not part of `winnow`.
        .executable(name: "winnow-bench", targets: ["winnow-bench"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", exact: "0.6.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        // The PostgreSQL store (issue 14): the client, and the NIO, TLS and logging types its API takes.
        .package(url: "https://github.com/vapor/postgres-nio", exact: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2")
    ],
    targets: [
        .target(
            name: "WinnowCore",
            dependencies: ["CPixelKernels", .product(name: "TOMLKit", package: "TOMLKit")]
        ),
        // WinnowCore's per-pixel loops (resampling; the alignment that confirms near-duplicates)
        // in C, optimised even in debug builds: an analysis resizes every image and aligns
        // thousands of pairs. No FMA contraction, so results are the same on every CPU.
        .target(
            name: "CPixelKernels",
            cSettings: [.unsafeFlags(["-O3", "-ffp-contract=off"])],
            linkerSettings: [.linkedLibrary("m")]
        ),
        .target(
            name: "WinnowAnalysis",
            dependencies: ["WinnowCore", "WinnowNeighbours", .product(name: "HeapModule", package: "swift-collections")]
        ),
        // Nearest neighbours: exact search with our own kernels, chosen at run time from the
        // CPU's features (CNeighbourKernels), hnswlib (via a C++ shim) for approximate search.
        // Both are compiled for the x86-64 baseline; the AVX2/AVX-512 code carries target
        // attributes and runs only where CPUID allows it, so any x86-64 machine runs Winnow.
        .target(
            name: "CNeighbourKernels",
            cSettings: [.unsafeFlags(["-O3"])],
            linkerSettings: [.linkedLibrary("m")]
        ),
        .target(
            name: "CHNSW",
            cxxSettings: [.unsafeFlags(["-O3"])],
            linkerSettings: [.linkedLibrary("stdc++")]
        ),
        .target(
            name: "WinnowNeighbours",
            dependencies: ["WinnowCore", "CNeighbourKernels", "CHNSW"]
        ),
        // OpenBLAS: the helper model's products, and `winnow-bench neighbours` to measure
        // sgemm-based search beside ours.
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        // The helper model: its own module so it reaches BLAS through one narrow file.
        .target(
            name: "WinnowHelperModel",
            dependencies: ["WinnowCore", "COpenBLAS"]
        ),
        .target(
            name: "WinnowDataset",
            dependencies: ["WinnowCore"]
        ),
        // SHA-256 for the decision log's hash chain: Debian's libcrypto (OpenSSL).
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .target(
            name: "WinnowStore",
            dependencies: [
                "WinnowCore", "CCrypto",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift")
            ]
        ),
        // The project store in PostgreSQL (issue 14, in progress): the same records, decision-log
        // chain and errors as WinnowStore, through postgres-nio, behind a synchronous API.
        .target(
            name: "WinnowPostgres",
            dependencies: [
                "WinnowCore", "WinnowStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log")
            ]
        ),
        // A throwaway PostgreSQL server (initdb in a temporary folder, Unix socket only) that the
        // tests and winnow-bench start: a module of its own so the benchmarks need no test target.
        .target(name: "WinnowPostgresServer"),
        // Image decoding and terminal graphics: C libraries from Debian packages.
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "CWebP", pkgConfig: "libwebp", providers: [.apt(["libwebp-dev"])]),
        .systemLibrary(name: "CSixel", pkgConfig: "libsixel", providers: [.apt(["libsixel-dev"])]),
        // No pkgConfig: SwiftPM would drop the -D flags the wide-character API needs (see shim.h).
        .systemLibrary(name: "CNcursesw", providers: [.apt(["libncursesw5-dev"])]),
        .target(
            name: "WinnowImaging",
            dependencies: ["WinnowCore", "CPNG", "CJPEG", "CWebP"]
        ),
        .target(
            name: "WinnowGraphics",
            dependencies: ["WinnowCore", "WinnowImaging", "CSixel"]
        ),
        .target(
            name: "WinnowUI",
            dependencies: ["WinnowCore", .product(name: "TOMLKit", package: "TOMLKit")]
        ),
        .target(
            name: "WinnowTerminal",
            dependencies: ["WinnowCore", "WinnowUI", "WinnowGraphics", "WinnowImaging", "CNcursesw"]
        ),
        // The application layer between the commands and the modules: opening a project (and
        // choosing its store: SQLite or PostgreSQL), the analysis session and its caches, the
        // review sources, leases, stats, export.
        .target(
            name: "WinnowSession",
            dependencies: [
                "WinnowCore", "WinnowAnalysis", "WinnowDataset", "WinnowNeighbours", "WinnowHelperModel", "WinnowStore",
                "WinnowPostgres", "WinnowImaging", "WinnowUI"
            ]
        ),
        // Running a command line (parse, run, exit codes): shared by winnow and winnow-bench.
        .target(
            name: "WinnowCommandLine",
            dependencies: ["WinnowSession", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .target(
            name: "WinnowCLI",
            dependencies: [
                "WinnowSession", "WinnowCommandLine",
                "WinnowCore", "WinnowAnalysis", "WinnowDataset", "WinnowNeighbours", "WinnowStore",
                "WinnowGraphics", "WinnowUI", "WinnowTerminal",
                .product(name: "ArgumentParser", package: "swift-argument-parser")
            ]
        ),
        .executableTarget(name: "winnow", dependencies: ["WinnowCLI"]),
        // The benchmarks: a library so tests can reach it, and its executable. They call the
        // session layer (never WinnowCLI), and run the `winnow` binary next to them as a user would.
        .target(
            name: "WinnowBench",
            dependencies: [
                "WinnowSession", "WinnowCommandLine",
                "WinnowCore", "WinnowAnalysis", "WinnowDataset", "WinnowNeighbours", "WinnowHelperModel", "WinnowStore",
                "WinnowPostgres", "WinnowPostgresServer", "WinnowImaging", "WinnowGraphics", "WinnowUI", "COpenBLAS",
                .product(name: "ArgumentParser", package: "swift-argument-parser")
            ]
        ),
        .executableTarget(name: "winnow-bench", dependencies: ["WinnowBench"]),
        // Mutation fuzzing of the parsers of untrusted files (`make fuzz`, scripts/fuzz.sh):
        // libFuzzer's entry points when built with -DWINNOW_LIBFUZZER, a mutation loop of its own otherwise.
        .executableTarget(name: "winnow-fuzz", dependencies: ["WinnowCore", "WinnowDataset", "WinnowImaging"]),
        // Helpers shared by the test targets: temporary datasets, running the built binary.
        .target(name: "WinnowTestSupport", dependencies: ["WinnowCore", "WinnowPostgresServer"], path: "Tests/WinnowTestSupport"),
        .testTarget(name: "WinnowCoreTests", dependencies: ["WinnowCore", "WinnowTestSupport"]),
        .testTarget(
            name: "WinnowAnalysisTests",
            dependencies: ["WinnowAnalysis", "WinnowDataset", "WinnowNeighbours", "WinnowTestSupport"],
            exclude: [
                "Fixtures/cleanlab/make_fixtures.py", "Fixtures/cleanlab/cl_spec.py",
                "Fixtures/cleanlab/requirements.txt", "Fixtures/cleanlab/README.md", "Fixtures/cleanlab/ALGORITHM.md",
                "Fixtures/multilabel/make_fixtures.py", "Fixtures/multilabel/requirements.txt", "Fixtures/multilabel/README.md",
                "Fixtures/multiannotator/make_fixtures.py", "Fixtures/multiannotator/requirements.txt", "Fixtures/multiannotator/README.md"
            ],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "WinnowNeighboursTests", dependencies: ["WinnowNeighbours"]),
        .testTarget(
            name: "WinnowHelperModelTests",
            dependencies: ["WinnowHelperModel", "WinnowCore"],
            exclude: ["Fixtures/sklearn/make_fixtures.py", "Fixtures/sklearn/requirements.txt"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "WinnowDatasetTests",
            dependencies: ["WinnowDataset", "WinnowTestSupport"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "WinnowStoreTests",
            dependencies: ["WinnowStore", "WinnowDataset", "WinnowTestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // The PostgreSQL store against a throwaway server the tests start (WinnowTestSupport's
        // ThrowawayPostgres: initdb in a temporary folder, Unix socket only).
        .testTarget(
            name: "WinnowPostgresTests",
            dependencies: ["WinnowPostgres", "WinnowStore", "WinnowCore", "WinnowDataset", "WinnowTestSupport"]
        ),
        .testTarget(
            name: "WinnowImagingTests",
            dependencies: ["WinnowImaging", "WinnowCore", "WinnowTestSupport"],
            resources: [.copy("Fixtures")]
        ),
        // CSixel: the tests decode sixel output back to pixels (SixelDecoder, test-only).
        .testTarget(name: "WinnowGraphicsTests", dependencies: ["WinnowGraphics", "WinnowImaging", "WinnowCore", "CSixel"]),
        // The terminal seam: the image layer's repaint and resend decisions on an in-memory screen,
        // the inbox, and keys as ncurses decodes them from a pseudo-terminal.
        .testTarget(name: "WinnowTerminalTests", dependencies: ["WinnowTerminal", "WinnowUI", "WinnowGraphics", "WinnowImaging", "WinnowCore"]),
        // Golden screens are read from the source tree (and rewritten with WINNOW_UPDATE_GOLDEN=1).
        .testTarget(name: "WinnowUITests", dependencies: ["WinnowUI", "WinnowCore", "WinnowTestSupport"], exclude: ["Golden"]),
        // Issue 17's hostile-input campaign, run against the built binary on pseudo-terminals.
        .testTarget(
            name: "WinnowHostileTests",
            dependencies: ["WinnowCore", "WinnowStore", "WinnowTestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // The application layer: review sources, the quick start, leases, the review screen on a real source.
        .testTarget(
            name: "WinnowSessionTests",
            dependencies: ["WinnowSession", "WinnowCore", "WinnowStore", "WinnowUI", "WinnowTestSupport", "WinnowPostgres", "WinnowDataset"]
        ),
        // The benchmarks' executable, run as a user runs it (it needs no module of its own here).
        .testTarget(name: "WinnowBenchTests", dependencies: ["WinnowTestSupport"]),
        .testTarget(
            name: "WinnowCLITests",
            dependencies: [
                "WinnowCLI", "WinnowSession", "WinnowCore", "WinnowStore", "WinnowImaging", "WinnowNeighbours", "WinnowTestSupport",
                .product(name: "GRDB", package: "GRDB.swift")
            ]
        )
    ],
    swiftLanguageModes: [.v6]
)
