// swift-tools-version:6.0
import PackageDescription

// Relais: the intake and exchange gateway of a Québec collection agency.
// Every C library comes from Debian through a system-library target; the
// RelaisCore library is the only code that imports them.
let package = Package(
    name: "Relais",
    products: [
        .executable(name: "relais", targets: ["relais"]),
    ],
    targets: [
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
        .systemLibrary(name: "CCSV", path: "Sources/CCSV"),
        .systemLibrary(name: "CXML2", path: "Sources/CXML2", pkgConfig: "libxml-2.0"),
        .systemLibrary(name: "CSSH2", path: "Sources/CSSH2", pkgConfig: "libssh2"),
        .systemLibrary(name: "CLinux", path: "Sources/CLinux"),
        .systemLibrary(name: "CTesseract", path: "Sources/CTesseract", pkgConfig: "tesseract"),
        .systemLibrary(name: "CGMime", path: "Sources/CGMime", pkgConfig: "gmime-3.0"),
        .systemLibrary(name: "CGPGME", path: "Sources/CGPGME", pkgConfig: "gpgme"),
        .target(
            name: "RelaisCore",
            dependencies: ["CSQLite", "CCSV", "CXML2", "CSSH2", "CLinux", "CTesseract", "CGMime", "CGPGME"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "relais",
            dependencies: ["RelaisCore"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .testTarget(
            name: "RelaisTests",
            dependencies: ["RelaisCore", "relais"],
            resources: [.copy("Fixtures")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
