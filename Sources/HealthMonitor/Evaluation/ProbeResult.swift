/// Which probe a result comes from; also the key of its placeholder in the status format.
public enum ProbeKind: Sendable, Hashable, CustomStringConvertible {
    case load
    case memory
    /// Use of the file system holding this path.
    case disk(String)
    case uptime
    case failedUnits
    /// The configured probe command, named for people (its program's file name).
    case command(String)

    /// The probe's name in status texts and logs ("mem", "disk /srv", "units").
    public var description: String {
        switch self {
        case .load: "load"
        case .memory: "mem"
        case .disk(let path): "disk \(path)"
        case .uptime: "uptime"
        case .failedUnits: "units"
        case .command(let name): name
        }
    }
}

/// A measurement, before thresholds.
public enum Reading: Sendable, Equatable {
    /// The one-minute load average and the processors it is shared by.
    case load(oneMinute: Double, processors: Int)
    case memory(usedPercent: Int)
    case disk(usedPercent: Int)
    case uptime(seconds: Double)
    /// Names of the units systemd lists as failed.
    case failedUnits([String])
    /// The probe command's exit status (0 ok, 1 warning, 2 critical) and first output line.
    case command(exitStatus: Int32, line: String)
}

/// What one probe produced in one round.
public enum ProbeOutcome: Sendable, Equatable {
    case reading(Reading)
    /// The probe could not measure; a short reason people can read in a contact list.
    case failed(String)
    /// No answer within the probe timeout (or the previous round's call still hangs).
    case timedOut
    /// The facility does not exist here (no systemd on the system bus): not a problem, not shown.
    case unavailable(String)
}

public struct ProbeResult: Sendable, Equatable {
    public var kind: ProbeKind
    public var outcome: ProbeOutcome

    public init(_ kind: ProbeKind, _ outcome: ProbeOutcome) {
        self.kind = kind
        self.outcome = outcome
    }
}
