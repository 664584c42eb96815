import CProcessSpawn
#if canImport(Glibc)
import Glibc
#endif

/// Starts the program of a spec through the C shim (vfork, then execve or execveat).
enum Spawner {
    /// Starts `spec` with standard output and error on the given descriptors (-1: /dev/null).
    static func spawn(_ spec: ProcessSpec, standardOutput: Int32, standardError: Int32) -> Result<pid_t, SpawnError> {
        var programDescriptor: Int32 = -1
        var passedDescriptor = spec.passedFile?.descriptor ?? -1
        let path: String
        switch spec.executable {
        case .path(let given):
            path = given
        case .file(let file):
            path = file.path
            programDescriptor = file.descriptor
            // A script's interpreter opens /dev/fd/3: the script must be descriptor 3.
            if file.isScript {
                guard spec.passedFile == nil || spec.passedFile === file else {
                    return .failure(SpawnError(program: path, reason: "a script cannot also be handed another program"))
                }
                passedDescriptor = file.descriptor
            }
        }
        let environment = spec.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        var status: Int32 = 0
        // "Text file busy": a process (a deploy replacing the file, another thread's child
        // between fork and exec) still has the file open for writing. Briefly.
        for attempt in 0..<6 {
            if attempt > 0 { usleep(20_000) }
            status = withCStrings(spec.argv) { argv in
                withCStrings(environment) { envp in
                    path.withCString { pathText in
                        withOptionalCString(spec.workingDirectory) { workdir in
                            var request = adhocd_spawn_request(
                                path: pathText, exec_fd: programDescriptor, passed_fd: passedDescriptor,
                                argv: argv, envp: envp, workdir: workdir, stdout_fd: standardOutput, stderr_fd: standardError)
                            return adhocd_spawn(&request, &pid)
                        }
                    }
                }
            }
            if status != ETXTBSY { break }
        }
        guard status == 0 else { return .failure(SpawnError(program: path, code: status)) }
        return .success(pid)
    }

    /// Runs `body` with a NULL-terminated C array of copies of `strings`.
    private static func withCStrings(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> Int32) -> Int32 {
        let copies = strings.map { strdup($0) } + [nil]
        defer { copies.forEach { free($0) } }
        return copies.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return EINVAL }
            return body(base)
        }
    }

    private static func withOptionalCString<T>(_ text: String?, _ body: (UnsafePointer<CChar>?) -> T) -> T {
        guard let text else { return body(nil) }
        return text.withCString { body($0) }
    }
}
