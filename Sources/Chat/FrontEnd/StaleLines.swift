import XMPPCore

/// Lines that waited in storage too long to be run (the bot was offline), gathered per contact
/// so the contact hears once what was not run, however many arrive in a burst.
struct StaleLines: Sendable {
    struct Batch: Sendable {
        /// Where the notice goes: the client that sent the last of them.
        var replyTo: JID
        var shown: [(text: String, age: Double?)] = []
        var count = 0
    }

    /// Lines named in the notice at most; the others are counted.
    static let shownLimit = 5

    private var batches: [JID: Batch] = [:]

    /// Adds a line; true when it opens a batch (its caller sends the notice after a moment).
    mutating func add(_ text: String, age: Double?, from contact: JID) -> Bool {
        let key = contact.bare
        var batch = batches[key] ?? Batch(replyTo: contact)
        let opens = batch.count == 0
        batch.replyTo = contact
        batch.count += 1
        if batch.shown.count < Self.shownLimit { batch.shown.append((text, age)) }
        batches[key] = batch
        return opens
    }

    /// Ends the contact's batch: where to answer, and the answer.
    mutating func close(_ contact: JID) -> (JID, String)? {
        guard let batch = batches.removeValue(forKey: contact.bare) else { return nil }
        return (batch.replyTo, Self.notice(batch))
    }

    static func notice(_ batch: Batch) -> String {
        let items = batch.shown.map { "'\($0.text.trimmingWhitespace().abbreviated(to: 60))' (\(spoken($0.age)))" }
        guard batch.count > 1 else {
            return "I was offline when you sent \(items.first ?? "this"), so it was not run. Send it again if you still want it."
        }
        var lines = ["I was offline when you sent these, so none of them was run:"]
        lines += items.map { "• " + $0 }
        if batch.count > batch.shown.count { lines.append("… and \(batch.count - batch.shown.count) more") }
        lines.append("Send again what you still want.")
        return lines.joined(separator: "\n")
    }

    /// "12 min ago", "3 h ago"; "earlier" when the stamp could not be read.
    static func spoken(_ age: Double?) -> String {
        guard let age, age.isFinite, age >= 0 else { return "earlier" }
        let seconds = Int(age)
        switch seconds {
        case ..<120: return "\(seconds) s ago"
        case ..<7200: return "\(seconds / 60) min ago"
        case ..<172_800: return "\(seconds / 3600) h ago"
        default: return "\(seconds / 86_400) days ago"
        }
    }
}
