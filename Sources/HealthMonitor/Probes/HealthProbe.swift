/// One check the monitor runs every interval.
public protocol HealthProbe: Sendable {
    var kind: ProbeKind { get }
    /// Measures once. `limit` is the probe timeout: probes that can stop their own work (a
    /// D-Bus call, a child process) should give up by then; the runner stops waiting a
    /// little later in any case.
    func read(within limit: Duration) async -> ProbeOutcome
    /// Releases what the probe holds (a bus connection) when the monitor stops.
    func close()
}

extension HealthProbe {
    public func close() {}
}
