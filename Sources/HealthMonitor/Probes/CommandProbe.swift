/// The configured probe command: exit status 0, 1, 2 for ok, warning, critical, and its first
/// output line as the text.
public struct CommandProbe: HealthProbe {
    public let arguments: [String]
    public let kind: ProbeKind

    /// Longest first line kept for the status text.
    static let lineLength = 120

    public init(arguments: [String]) {
        self.arguments = arguments
        let program = arguments.first ?? "probe"
        kind = .command(program.split(separator: "/").last.map(String.init) ?? program)
    }

    public func read(within limit: Duration) async -> ProbeOutcome {
        let result: ProbeProcessResult
        do {
            result = try await ProbeProcess.run(arguments, timeout: limit)
        } catch {
            return .failed(error.description)
        }
        switch result.termination {
        case .exited(let status):
            return .reading(.command(exitStatus: status, line: String(result.firstLine.prefix(Self.lineLength))))
        case .signaled(let signal):
            return .failed("killed by signal \(signal)")
        case .timedOut:
            return .timedOut
        }
    }
}
