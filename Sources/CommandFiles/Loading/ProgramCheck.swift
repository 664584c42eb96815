import ProcessSupervision

/// The programs a definition runs, checked like the definition itself: the program its
/// `exec` names, the interpreter of a `#!` script, and setpriv for `user`. Nobody but root
/// and adhocd may be able to change them or any directory on their way (`TrustedPath`).
///
/// Checked when loading (a refusal skips the definition) and again right before every run,
/// on the descriptors that then run: what was checked is what runs.
struct ProgramCheck: Sendable {
    let trust: TrustedPath

    /// Why a run cannot go ahead.
    enum Refusal: Error, Equatable {
        /// Someone else could have changed the program, or it changed since it was loaded:
        /// nothing runs (`not-run` in the audit log).
        case unsafe(String)
        /// The program cannot be opened (missing, permissions): the run fails to start.
        case unavailable(String)
    }

    /// What loading says of a definition's programs.
    struct LoadFindings: Equatable {
        /// The definition is refused.
        var problem: String?
        /// It loads, but runs will fail for now (a program not installed yet).
        var warnings: [String] = []
    }

    func atLoad(_ definition: CommandDefinition) -> LoadFindings {
        var findings = LoadFindings()
        for program in programs(of: definition) {
            do throws(TrustedPath.Failure) {
                let file = try trust.open(program)
                try checkInterpreter(of: file)
            } catch {
                switch error {
                case .untrusted(let problem):
                    findings.problem = "runs \(program), which is not safe: \(problem)"
                    return findings
                case .unreachable(_, let reason):
                    findings.warnings.append("\(program) is not an executable program (\(reason)); runs will fail until it is")
                }
            }
        }
        return findings
    }

    /// Opens and checks the programs for one run, and points `spec` at their descriptors.
    func prepare(_ spec: inout ProcessSpec, for definition: CommandDefinition) throws(Refusal) {
        let file = try open(definition.exec.program)
        if definition.form == .script, definition.exec.program == definition.file, !definition.stamp.matches(file.identity) {
            throw .unsafe("\(definition.file) changed after it was loaded; reload adhocd to run the new version")
        }
        do throws(TrustedPath.Failure) {
            try checkInterpreter(of: file)
        } catch {
            switch error {
            case .untrusted(let problem): throw .unsafe(problem)
            case .unreachable(let path, let reason): throw .unavailable("its interpreter \(path): \(reason)")
            }
        }
        guard definition.user != nil else {
            spec.executable = .file(file)
            return
        }
        // setpriv runs the checked program from descriptor 3, not by its path.
        spec.executable = .file(try open(RunAsUser.setprivPath))
        spec.passedFile = file
        if spec.argv.count > RunAsUser.wrapperCount { spec.argv[RunAsUser.wrapperCount] = ProgramFile.passedPath }
    }

    private func open(_ program: String) throws(Refusal) -> ProgramFile {
        do throws(TrustedPath.Failure) {
            return try trust.open(program)
        } catch {
            switch error {
            case .untrusted(let problem): throw .unsafe(problem)
            case .unreachable(_, let reason): throw .unavailable(reason)
            }
        }
    }

    /// The kernel starts a script's interpreter by its path: it must be as safe as the script.
    private func checkInterpreter(of file: ProgramFile) throws(TrustedPath.Failure) {
        guard let interpreter = file.interpreter, interpreter.hasPrefix("/") else { return }
        _ = try trust.open(interpreter)
    }

    private func programs(of definition: CommandDefinition) -> [String] {
        var programs = [definition.exec.program]
        if definition.user != nil { programs.append(RunAsUser.setprivPath) }
        return programs
    }
}

extension FileStamp {
    /// Whether `identity` is the file this stamp was taken of, unchanged.
    func matches(_ identity: FileIdentity) -> Bool {
        (device == 0 || device == identity.device) && inode == identity.inode && size == identity.size
            && modified == identity.modified && modifiedNanoseconds == identity.modifiedNanoseconds
    }
}
