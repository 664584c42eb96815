import XMPPCore

extension Track {
    /// The playing track of a player, from its MPRIS `Metadata` (`xesam:artist` joined by
    /// ", ", `xesam:title`, `xesam:album`, `mpris:length` in whole seconds, `xesam:trackNumber`).
    /// Each text is cut to `fieldLimit` characters: a player's metadata is not ours to trust.
    init(playing state: MediaPlayerState) {
        self.init(
            artist: Self.field(state.artists.joined(separator: ", ")),
            title: Self.field(state.title),
            source: Self.field(state.album),
            length: state.length.flatMap { $0 > 0 ? Int(($0 + 500_000) / 1_000_000) : nil },
            track: state.trackNumber.flatMap { $0 > 0 ? String($0) : nil })
    }

    static let fieldLimit = 200

    private static func field(_ text: String?) -> String? {
        guard let text else { return nil }
        // Control characters have no place in a one-line field (and most cannot be sent in XML).
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: text.unicodeScalars.map { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) ? " " : $0 })
        let visible = String(scalars).trimmingWhitespace()
        guard !visible.isEmpty else { return nil }
        return visible.count <= fieldLimit ? visible : String(visible.prefix(fieldLimit - 1)) + "…"
    }
}
