/// The release, reported by `--version` and XEP-0092.
public enum AdhocdVersion {
    public static let current = "0.1.0"
}
