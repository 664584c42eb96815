/// What a command for an introspected member calls through: the object and interface on the
/// bus, the connection, and how long one call may take.
struct MemberCall: Sendable {
    let target: DBusTarget
    let handle: BusHandle
    let timeout: Duration

    /// A stage outlives its call a little, so a call that times out is answered as such rather
    /// than cut off by the stage's own limit.
    var stageTimeout: Duration { timeout + .seconds(5) }
}
