import DBusBridge
import Logging
import XMPPClient
import XMPPCore

/// Keeps the bot's User Tune equal to what plays: publishes each change while online; after a
/// reconnect, publishes again what still plays (the server may have lost it) or what it missed.
/// One publication at a time, always of the latest wish, so the server ends with the last one.
actor TunePublisher {
    private let client: XMPPClient
    private let logger: Logger
    /// What should be shown; nil until the bridge says anything (then a track, or `.some(nil)`).
    private var wanted: Track??
    /// What the server holds, as far as we know; nil when unknown.
    private var onServer: Track??
    private var isPublishing = false

    static let requestTimeout: Duration = .seconds(10)

    init(client: XMPPClient, logger: Logger) {
        self.client = client
        var logger = logger
        logger[metadataKey: "component"] = "tune"
        self.logger = logger
    }

    func show(_ track: Track?) async {
        wanted = .some(track)
        await publishIfNeeded()
    }

    /// After every login: a tune that still plays is published again.
    func cameOnline() async {
        if case .some(.some) = wanted { onServer = nil }
        await publishIfNeeded()
    }

    /// On shutdown: an empty tune, so contacts do not see a track the bot no longer follows.
    func clear() async {
        guard case .some(.some) = onServer else { return }
        await show(nil)
    }

    private func publishIfNeeded() async {
        guard !isPublishing else { return }
        isPublishing = true
        defer { isPublishing = false }
        while let wanted, onServer.map({ $0 != wanted }) ?? true {
            guard client.isOnline else {
                logger.info("tune not published: offline; it is published after the reconnect")
                return
            }
            guard await publish(wanted) else { return }
            onServer = .some(wanted)
        }
    }

    private func publish(_ track: Track?) async -> Bool {
        let metadata: Logger.Metadata = ["title": "\(track?.title ?? "")", "artist": "\(track?.artist ?? "")"]
        do {
            _ = try await client.request(UserTune.publication(track, id: client.makeStanzaID()), timeout: Self.requestTimeout)
            logger.info(track == nil ? "tune cleared" : "tune published", metadata: metadata)
            return true
        } catch let error as StanzaError where error.condition == .conflict {
            logger.error(
                "the server refused the tune: its node \(UserTune.namespace) exists with an access model other than \(UserTune.accessModel); adhocd publishes only to presence subscribers (delete the node from a client to let adhocd create it)",
                metadata: metadata)
        } catch is CancellationError {
            logger.debug("tune publication cancelled (shutting down)", metadata: metadata)
        } catch {
            logger.warning("could not publish the tune: \(error)", metadata: metadata)
        }
        return false
    }
}
