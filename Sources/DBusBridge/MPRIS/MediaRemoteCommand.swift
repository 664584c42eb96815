import Commands
import DBus
import XMPPCore

/// "Media remote": a command built for a phone. Pick the player (skipped when there is one),
/// then a loop: the stage shows what is playing and offers the actions as one list-single,
/// which Cheogram renders as buttons; each submit runs the action and shows fresh state. The
/// session stays open (for hours, configurable) until the requester completes or cancels.
struct MediaRemoteCommand: Command {
    let node: String
    let name: String
    let policy: AccessPolicy
    let sessionTimeout: Duration?
    let handle: BusHandle
    let players: [String]
    let callTimeout: Duration

    static let root = "/org/mpris/MediaPlayer2"
    static let playerInterface = "org.mpris.MediaPlayer2.Player"
    static let rootInterface = "org.mpris.MediaPlayer2"
    static let formType = "urn:adhocd:mpris-remote"

    /// `ordinal` counts `preset = "mpris"` blocks only, so the usual single remote is `mpris/remote`.
    init(block: DBusBlock, ordinal: Int, handle: BusHandle, players: [String]) {
        node = Self.node(ordinal: ordinal)
        name = block.label
        policy = block.policy
        sessionTimeout = block.sessionTimeout
        callTimeout = block.callTimeout
        self.handle = handle
        self.players = players
    }

    static func node(ordinal: Int) -> String { ordinal == 0 ? "mpris/remote" : "mpris/remote-\(ordinal + 1)" }

    var stageTimeout: Duration { callTimeout + .seconds(5) }

    func start(_ context: CommandContext) async throws -> CommandStep {
        if players.count == 1 { return await remote(for: players[0], note: nil) }
        var options: [FormField.Option] = []
        for player in players {
            options.append(FormField.Option(player, label: await identity(of: player)))
        }
        let form = DataForm(.form, title: name, instructions: ["Which player?"], fields: [
            FormField("FORM_TYPE", type: .hidden, values: [Self.formType]),
            FormField("player", type: .listSingle, label: "Player", isRequired: true, values: [players[0]], options: options),
        ])
        return .ask(CommandStage(id: "player", form: form, isFinal: false))
    }

    func submit(stage: String, values: SubmittedValues, action: SubmitAction, context: CommandContext) async throws -> CommandStep {
        if stage == "player" {
            guard let player = values.string("player"), players.contains(player) else {
                return .complete(.failure("That player is not on the bus any more."))
            }
            return await remote(for: player, note: nil)
        }
        guard stage.hasPrefix("remote:") else { return .complete(.failure("Unknown stage \(stage).")) }
        let player = String(stage.dropFirst("remote:".count))
        var note: String?
        if let choice = values.string("action"), !choice.isEmpty {
            guard let mediaAction = MediaAction(rawValue: choice) else {
                return .complete(.failure("Unknown action \(choice)."))
            }
            do {
                let before = mediaAction.changesPlayback ? try? await state(of: player) : nil
                try await perform(mediaAction, on: player)
                if let before { await settle(player, after: before) }
            } catch {
                return .complete(.failure(BridgeMessages.failure(of: mediaAction.label, error)))
            }
            note = mediaAction == .refresh ? nil : "Done: \(mediaAction.label)"
        }
        if action == .complete {
            guard let state = try? await state(of: player) else { return .complete(.note("Done.")) }
            return .complete(.note(state.summary))
        }
        return await remote(for: player, note: note)
    }

    // MARK: Stages

    private func remote(for player: String, note: String?) async -> CommandStep {
        let state: MediaPlayerState
        do {
            state = try await self.state(of: player)
        } catch {
            return .complete(.failure(BridgeMessages.failure(of: "Reading the player", error)))
        }
        var fields = [FormField("FORM_TYPE", type: .hidden, values: [Self.formType])]
        fields.append(FormField("title", type: .fixed, label: "Playing", values: [state.title ?? "—"]))
        if !state.artists.isEmpty { fields.append(FormField("artist", type: .fixed, label: "Artist", values: [state.artists.joined(separator: ", ")])) }
        fields.append(FormField("status", type: .fixed, label: "Status", values: [state.status]))
        if let volume = state.volumeText { fields.append(FormField("volume", type: .fixed, label: "Volume", values: [volume])) }
        if let position = state.positionText { fields.append(FormField("position", type: .fixed, label: "Position", values: [position])) }
        fields.append(FormField(
            "action", type: .listSingle, label: "Action",
            options: MediaAction.allCases.map { FormField.Option($0.rawValue, label: $0.label) }))
        let form = DataForm(.form, title: "\(name) — \(await identity(of: player))", fields: fields)
        return .ask(CommandStage(id: "remote:\(player)", form: form, isFinal: false, note: note, canComplete: true))
    }

    // MARK: D-Bus

    private func state(of player: String) async throws(DBusError) -> MediaPlayerState {
        let connection = try handle.require()
        return MediaPlayerState(properties: try await connection.properties(
            destination: player, path: Self.root, interface: Self.playerInterface, timeout: callTimeout))
    }

    /// Players report a new playback status or track a moment after the call returns (mpv's
    /// MPRIS plugin does when it next observes the property): wait briefly for the change, so
    /// the remote shows the state the action led to rather than the one before it.
    private func settle(_ player: String, after before: MediaPlayerState) async {
        for _ in 0..<Self.settlePolls {
            guard let now = try? await state(of: player) else { return }
            if now.status != before.status || now.title != before.title || now.artists != before.artists { return }
            try? await Task.sleep(for: Self.settleInterval)
        }
    }

    static let settlePolls = 12
    static let settleInterval = Duration.milliseconds(25)

    private func identity(of player: String) async -> String {
        guard let connection = handle.connection,
              let value = try? await connection.property(destination: player, path: Self.root, interface: Self.rootInterface, name: "Identity", timeout: callTimeout),
              let identity = value.stringValue, !identity.isEmpty else {
            return CommandBuilder.shortName(player)
        }
        return identity
    }

    private func perform(_ action: MediaAction, on player: String) async throws(DBusError) {
        let connection = try handle.require()
        func call(_ member: String, _ arguments: [DBusValue] = []) async throws(DBusError) {
            _ = try await connection.call(destination: player, path: Self.root, interface: Self.playerInterface, member: member, arguments: arguments, timeout: callTimeout)
        }
        switch action {
        case .playPause: try await call("PlayPause")
        case .next: try await call("Next")
        case .previous: try await call("Previous")
        case .stop: try await call("Stop")
        case .seekBack: try await call("Seek", [.int64(MediaAction.backMicroseconds)])
        case .seekForward: try await call("Seek", [.int64(MediaAction.forwardMicroseconds)])
        case .volumeUp, .volumeDown:
            let current = try await connection.property(destination: player, path: Self.root, interface: Self.playerInterface, name: "Volume", timeout: callTimeout).doubleValue ?? 0
            let step = action == .volumeUp ? MediaAction.volumeStep : -MediaAction.volumeStep
            // Rounded to whole percent so repeated steps don't drift; never above 100 % by stepping.
            let target = min(max(((current + step) * 100).rounded() / 100, 0), max(current, 1))
            try await connection.setProperty(destination: player, path: Self.root, interface: Self.playerInterface, name: "Volume", value: .double(target), timeout: callTimeout)
        case .refresh:
            break
        }
    }
}
