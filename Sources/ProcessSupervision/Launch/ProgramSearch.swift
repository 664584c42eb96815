#if canImport(Glibc)
import Glibc
#endif

/// Finds a program the way a shell does, before the run, so what is checked and what runs is
/// the same file.
public enum ProgramSearch {
    /// `name` itself when it holds a `/`; else the first executable regular file of that
    /// name in the directories of `path` (colon-separated); nil when there is none.
    public static func resolve(_ name: String, path: String) -> String? {
        guard !name.isEmpty else { return nil }
        if name.contains("/") { return name }
        for directory in path.split(separator: ":", omittingEmptySubsequences: false) {
            // An empty entry is the working directory, as for execvp.
            let candidate = directory.isEmpty ? name : "\(directory)/\(name)"
            var status = stat()
            guard stat(candidate, &status) == 0, status.st_mode & S_IFMT == S_IFREG, access(candidate, X_OK) == 0 else { continue }
            return candidate
        }
        return nil
    }
}
