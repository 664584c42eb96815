// swift-tools-version:6.0
import PackageDescription

// Layers point down only: adhocd → AdhocdKit → (front ends: AdHoc, Chat, Fleet; providers: BuiltinCommands, CommandFiles, DBusBridge;
// HealthMonitor, XMPPClient) → Commands (the command core) → XMPPCore → C libraries.
let package = Package(
    name: "adhocd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "adhocd", targets: ["adhocd"]),
        .executable(name: "adhocd-bench", targets: ["AdhocdBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // System libraries.
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CDBus", pkgConfig: "dbus-1", providers: [.apt(["libdbus-1-dev"])]),
        // SHA-1/SHA-256, HMAC, PBKDF2 for SCRAM and caps: the system's OpenSSL, not a second BoringSSL.
        .systemLibrary(name: "CLibCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .target(name: "CResolv", linkerSettings: [.linkedLibrary("resolv")]),
        // Starting a program (vfork, then execve or execveat of a checked descriptor) in a
        // process group of its own, signals reset, descriptors closed; pipe2, pidfd_open.
        .target(name: "CProcessSpawn"),
        // The Swift runtime's global-executor hook, reachable also when the runtime is linked
        // statically (EventLoopRuntime).
        .target(name: "CConcurrencyHook"),

        // Pure values: JID, XML tree, streaming parser, stanzas, data forms.
        .target(name: "XMPPCore", dependencies: ["CLibXML2"]),

        // The network client: transport, TLS, SASL, bind, IQ routing, roster, presence, reconnects.
        .target(
            name: "XMPPClient",
            dependencies: [
                "XMPPCore",
                "CResolv",
                "CLibCrypto",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // The command core below every front end: the Command protocol, registry, roster-group
        // policy, sessions, validation, time limits, the refusal hook. No framing, no sockets.
        .target(
            name: "Commands",
            dependencies: ["XMPPCore", .product(name: "Logging", package: "swift-log")]
        ),

        // The XEP-0050 front end over the core: <command/> requests and answers, disco of nodes,
        // reply budgets. No sockets.
        .target(
            name: "AdHoc",
            dependencies: ["Commands", "XMPPCore", .product(name: "Logging", package: "swift-log")]
        ),

        // Configuration files: a TOML 1.0 reader; keys declared once (type, range, default, doc) and
        // read through their declaration, with errors naming file and key; the reference rendered
        // from the declarations (Markdown tables, man page paragraphs).
        .target(name: "TOMLConfig"),

        // Async libdbus client: signatures, typed values, marshalling, introspection, name tracking.
        .target(
            name: "DBus",
            dependencies: ["CDBus", "CLibXML2", .product(name: "Logging", package: "swift-log")]
        ),

        // D-Bus services as commands: introspected methods and properties, the MPRIS remote, systemd units.
        .target(
            name: "DBusBridge",
            dependencies: ["DBus", "Commands", "XMPPCore", "TOMLConfig", .product(name: "Logging", package: "swift-log")]
        ),

        // Running programs: one supervisor (output caps, timeouts, process-group teardown, strays),
        // the off-loop thread helper and the deadline idiom. Used by commands.d and the health monitor.
        .target(name: "ProcessSupervision", dependencies: ["CProcessSpawn"]),

        // commands.d: command definitions in files (TOML or a script's header) run without a shell,
        // with typed parameters, time limits, capped output and an audit log.
        .target(
            name: "CommandFiles",
            dependencies: ["Commands", "XMPPCore", "TOMLConfig", "ProcessSupervision", .product(name: "Logging", package: "swift-log")]
        ),

        // The machine's vital signs from /proc and statvfs, and their human formatting.
        .target(name: "HostMetrics"),

        // The chat front end: commands typed as plain messages, for clients without a command UI.
        // The front end speaks plain messages; the dialogue logic under it knows no stanzas.
        .target(
            name: "Chat",
            dependencies: ["Commands", "XMPPCore", "TOMLConfig", .product(name: "Logging", package: "swift-log")]
        ),

        // The fleet room (XEP-0045): many bots in one room, their health as room presence,
        // `NICK:` / `all:` lines through the chat front end by the sender's real JID. No sockets.
        .target(
            name: "Fleet",
            dependencies: ["Chat", "XMPPClient", "XMPPCore", .product(name: "Logging", package: "swift-log")]
        ),

        // Commands every adhocd has: status, set-presence, reload.
        .target(name: "BuiltinCommands", dependencies: ["Commands", "XMPPCore", "HostMetrics"]),

        // Machine health as presence: probes, levels, status text, when to publish and alert.
        .target(
            name: "HealthMonitor",
            dependencies: ["XMPPCore", "DBus", "HostMetrics", "TOMLConfig", "ProcessSupervision", .product(name: "Logging", package: "swift-log")]
        ),

        // Configuration and wiring of the daemon; the executable is a thin CLI over it.
        .target(
            name: "AdhocdKit",
            dependencies: [
                "XMPPCore", "XMPPClient", "Commands", "AdHoc", "BuiltinCommands", "HostMetrics", "HealthMonitor", "TOMLConfig", "DBusBridge",
                "ProcessSupervision", "CommandFiles", "Chat", "Fleet", "CConcurrencyHook",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "adhocd",
            dependencies: [
                "AdhocdKit", "DBus", "DBusBridge", "HostMetrics", "XMPPCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Load generator for bench/: many client connections running a two-stage command.
        .executableTarget(
            name: "AdhocdBench",
            dependencies: [
                "XMPPCore", "XMPPClient", "AdhocdKit", "Commands", "AdHoc", "BuiltinCommands",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "bench/Sources/AdhocdBench"
        ),

        // Tests. TestSupport starts throwaway Prosody servers (scripts/prosody_sandbox.py).
        .target(name: "TestSupport", dependencies: ["XMPPCore"], path: "Tests/TestSupport"),
        // Commands with known stages, a clock and a roster the tests control, for both layers' tests.
        .target(
            name: "CommandTestKit", dependencies: ["Commands", "XMPPCore", .product(name: "Logging", package: "swift-log")],
            path: "Tests/CommandTestKit"),
        .testTarget(name: "XMPPCoreTests", dependencies: ["XMPPCore"]),
        .testTarget(
            name: "XMPPClientTests",
            dependencies: [
                "XMPPClient", "XMPPCore", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ]),
        .testTarget(name: "CommandsTests", dependencies: ["Commands", "CommandTestKit", "XMPPCore", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "AdHocTests", dependencies: ["AdHoc", "Commands", "CommandTestKit", "XMPPCore", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "HostMetricsTests", dependencies: ["HostMetrics"]),
        .testTarget(name: "HealthMonitorTests", dependencies: ["HealthMonitor", "ProcessSupervision", "DBus", "CDBus", "TOMLConfig", "XMPPCore", "TestSupport"]),
        .testTarget(name: "BuiltinCommandsTests", dependencies: ["BuiltinCommands", "HostMetrics", "Commands", "XMPPCore"]),
        .testTarget(name: "DBusTests", dependencies: ["DBus", "CDBus", "TestSupport"], exclude: ["Samples"]),
        .testTarget(name: "DBusBridgeTests", dependencies: ["DBusBridge", "DBus", "Commands", "XMPPCore", "TOMLConfig", "TestSupport"]),
        .testTarget(name: "TOMLConfigTests", dependencies: ["TOMLConfig"]),
        .testTarget(
            name: "ChatTests",
            dependencies: ["Chat", "Commands", "CommandTestKit", "XMPPCore", "TOMLConfig", .product(name: "Logging", package: "swift-log")]),
        .testTarget(
            name: "FleetTests",
            dependencies: ["Fleet", "Chat", "Commands", "CommandTestKit", "XMPPClient", "XMPPCore", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "ProcessSupervisionTests", dependencies: ["ProcessSupervision"]),
        .testTarget(name: "CommandFilesTests", dependencies: ["CommandFiles", "ProcessSupervision", "Commands", "XMPPCore", "TOMLConfig"]),
        .testTarget(name: "AdhocdKitTests", dependencies: ["AdhocdKit", "Chat", "Commands", "HealthMonitor", "TOMLConfig", "XMPPClient", "XMPPCore", "TestSupport"]),
        // Prints what the TOML reader makes of files, for the differential test against Python's
        // tomllib (Tests/toml).
        .executableTarget(name: "TOMLToJSON", dependencies: ["TOMLConfig"], path: "Tests/TOMLToJSON"),
    ]
)
