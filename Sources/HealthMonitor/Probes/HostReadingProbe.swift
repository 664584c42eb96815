import HostMetrics
import ProcessSupervision

/// Load, memory, a disk or uptime, read from /proc and statvfs through `HostReader` on a
/// thread of its own: statvfs on a hung network mount blocks, and must not block the daemon.
public struct HostReadingProbe: HealthProbe {
    public let kind: ProbeKind
    private let measure: @Sendable () throws(HostReader.ReadError) -> Reading

    init(kind: ProbeKind, measure: @escaping @Sendable () throws(HostReader.ReadError) -> Reading) {
        self.kind = kind
        self.measure = measure
    }

    public func read(within limit: Duration) async -> ProbeOutcome {
        let outcome = await OffLoopThread.run { [measure] () -> ProbeOutcome in
            do throws(HostReader.ReadError) {
                return .reading(try measure())
            } catch {
                return .failed(Self.shortReason(error))
            }
        }
        return outcome ?? .failed("no thread to read on")
    }

    /// Few words for a contact list; the full error is in the log.
    static func shortReason(_ error: HostReader.ReadError) -> String {
        switch error {
        case .unreadable(let path): "cannot read \(path)"
        case .noFileSystem(_, let reason): reason
        }
    }

    public static func load(_ host: HostReader = HostReader()) -> HostReadingProbe {
        HostReadingProbe(kind: .load) { () throws(HostReader.ReadError) in
            .load(oneMinute: try host.loadAverage().one, processors: HostReader.processorCount())
        }
    }

    public static func memory(_ host: HostReader = HostReader()) -> HostReadingProbe {
        HostReadingProbe(kind: .memory) { () throws(HostReader.ReadError) in
            let memory = try host.memory()
            guard memory.totalBytes > 0 else { return .memory(usedPercent: 0) }
            return .memory(usedPercent: Int((Double(memory.usedBytes) * 100 / Double(memory.totalBytes)).rounded()))
        }
    }

    public static func disk(_ path: String, _ host: HostReader = HostReader()) -> HostReadingProbe {
        HostReadingProbe(kind: .disk(path)) { () throws(HostReader.ReadError) in
            .disk(usedPercent: try host.usage(of: path).usedPercent)
        }
    }

    public static func uptime(_ host: HostReader = HostReader()) -> HostReadingProbe {
        HostReadingProbe(kind: .uptime) { () throws(HostReader.ReadError) in
            .uptime(seconds: try host.uptime())
        }
    }
}
