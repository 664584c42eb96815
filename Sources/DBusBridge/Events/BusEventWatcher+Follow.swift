import DBus

/// What each watch does: subscribe first, then read the current state, so no change in between
/// is lost; then follow the signals until cancelled (the owner left, the connection ended).
extension BusEventWatcher {
    static let propertiesInterface = "org.freedesktop.DBus.Properties"

    /// A block's `signals` of one owner, as messages for its `notify` list.
    func followSignals(of owner: String, block: DBusBlock, index: Int, connection: DBusConnection) async {
        let stream: AsyncStream<DBusSignal>
        do {
            stream = try await connection.signals(matching: DBusSignalMatch(sender: owner))
        } catch {
            guard !Task.isCancelled else { return }
            logger.warning("cannot follow the signals of \(serviceName(of: owner, in: block)): \(error)", metadata: ["block": "\(block.label)"])
            return
        }
        logger.info("following the signals of \(serviceName(of: owner, in: block))", metadata: ["block": "\(block.label)"])
        for await signal in stream {
            guard block.events.names(interface: signal.interface, member: signal.member),
                  block.paths.isEmpty || block.paths.contains(signal.path) else { continue }
            let name = "\(signal.interface).\(signal.member)"
            guard case .send(let heldBack) = admit(name, block: index) else {
                logger.debug("signal held back (rate limit)", metadata: ["signal": "\(name)", "block": "\(block.label)"])
                continue
            }
            let service = serviceName(of: owner, in: block)
            var text = block.events.template.render(signal, sender: service, label: block.label)
            if heldBack > 0 { text += "\n(\(heldBack) more held back: at most \(block.events.rateLimit) a minute)" }
            events.yield(.signal(SignalNotice(
                text: text, recipients: block.events.notify, policy: block.policy, signal: name, service: service)))
        }
    }

    /// A media player's PlaybackStatus and Metadata, for the one User Tune of the bot.
    func followPlayer(_ owner: String, connection: DBusConnection) async {
        let player = NowPlayingChoice.Player(bus: "\(bus)", owner: owner)
        let root = MediaRemoteCommand.root, interface = MediaRemoteCommand.playerInterface
        let timeout = blocks.map(\.block.callTimeout).min()
        do {
            let stream = try await connection.signals(matching: DBusSignalMatch(
                sender: owner, path: root, interface: Self.propertiesInterface, member: "PropertiesChanged"))
            var properties = try await connection.properties(destination: owner, path: root, interface: interface, timeout: timeout)
            await board.update(player, state: MediaPlayerState(properties: properties))
            logger.info("following what \(owner) plays, for the tune")
            for await signal in stream {
                guard let change = PropertiesChange(signal), change.interface == interface else { continue }
                properties.merge(change.changed) { $1 }
                for name in change.invalidated where name == "Metadata" || name == "PlaybackStatus" {
                    properties[name] = try? await connection.property(destination: owner, path: root, interface: interface, name: name, timeout: timeout)
                }
                await board.update(player, state: MediaPlayerState(properties: properties))
            }
        } catch {
            if !Task.isCancelled { logger.info("cannot follow what \(owner) plays: \(error)") }
        }
        await board.remove(player)
    }

    /// One unit's ActiveState: a change to `failed` is reported (rate-limited per unit).
    func followUnit(_ unit: String, of owner: String, block: DBusBlock, index: Int, connection: DBusConnection) async {
        let path = SystemdUnitPath.path(for: unit)
        let interface = SystemdUnitCommand.unitInterface
        let read = { (name: String) async -> String? in
            (try? await connection.property(destination: owner, path: path, interface: interface, name: name, timeout: block.callTimeout))?.stringValue
        }
        await subscribeToManager(owner, connection: connection, timeout: block.callTimeout)
        let stream: AsyncStream<DBusSignal>
        do {
            stream = try await connection.signals(matching: DBusSignalMatch(
                sender: owner, path: path, interface: Self.propertiesInterface, member: "PropertiesChanged"))
        } catch {
            if !Task.isCancelled { logger.warning("cannot watch \(unit) for failures: \(error)") }
            return
        }
        var state = await read("ActiveState")
        logger.info("watching \(unit) for failures (it is \(state ?? "unknown") now)")
        for await signal in stream {
            guard let change = PropertiesChange(signal), change.interface == interface else { continue }
            var new = change.changed["ActiveState"]?.stringValue
            if new == nil, change.invalidated.contains("ActiveState") { new = await read("ActiveState") }
            guard let new, new != state else { continue }
            let previous = state
            state = new
            guard new == "failed" else { continue }
            guard case .send(let heldBack) = admit("unit|\(unit)", block: index) else {
                logger.info("\(unit) failed again; alert held back (rate limit)")
                continue
            }
            var subState = change.changed["SubState"]?.stringValue
            if subState == nil { subState = await read("SubState") }
            events.yield(.unitFailed(UnitFailure(unit: unit, previousState: previous, subState: subState, heldBack: heldBack)))
        }
    }

    /// systemd emits unit signals only while some client has called `Subscribe`; once per owner.
    private func subscribeToManager(_ owner: String, connection: DBusConnection, timeout: Duration) async {
        guard !subscribedManagers.contains(owner) else { return }
        subscribedManagers.insert(owner)
        do {
            _ = try await connection.call(
                destination: owner, path: SystemdUnitCommand.managerPath, interface: SystemdUnitCommand.managerInterface,
                member: "Subscribe", timeout: timeout)
        } catch .remote(let name, _) where name == "org.freedesktop.systemd1.AlreadySubscribed" {
            return
        } catch {
            guard !Task.isCancelled else { return }
            logger.warning("systemd refused Subscribe (\(error)): failed units may go unnoticed until the monitor's next round")
        }
    }
}

/// The arguments of `org.freedesktop.DBus.Properties.PropertiesChanged`.
struct PropertiesChange: Sendable, Equatable {
    var interface: String
    var changed: [String: DBusValue]
    var invalidated: [String]

    init?(_ signal: DBusSignal) {
        guard signal.member == "PropertiesChanged", signal.arguments.count >= 2, let interface = signal.arguments[0].stringValue,
              let changed = signal.arguments[1].stringKeyedValue else { return nil }
        self.interface = interface
        self.changed = changed.mapValues(\.unwrapped)
        invalidated = signal.arguments.count > 2 ? signal.arguments[2].arrayValue?.compactMap(\.stringValue) ?? [] : []
    }
}
