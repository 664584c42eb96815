extension Duration {
    /// "1.5 s" for logs.
    public var formattedSeconds: String {
        let (seconds, attoseconds) = components
        let milliseconds = attoseconds / 1_000_000_000_000_000
        guard milliseconds > 0 else { return "\(seconds) s" }
        return "\(seconds).\("\(1000 + milliseconds)".dropFirst()) s"
    }
}
