import XMPPCore
@testable import CommandFiles

/// commands.d definitions: a script's `# adhocd:begin` header (`ScriptHeader`) and the
/// definition reader (`DefinitionReader`) on it or on a `.toml` file.
///
/// Input: one byte of flags (bit 0: a `.toml` file, else a script; bit 1: adhocd runs as root),
/// then the file. Properties: an error's line is a line of the file; the header's TOML keeps
/// the script's line numbers (as many lines as the script up to the end marker, blank outside
/// the block); an accepted definition holds only what the reader promises (a name, an absolute
/// program, placeholders that name declared parameters, a timeout in (0, 24 h], 1–100
/// concurrent runs, usable variable and environment names, defaults its own form accepts, a
/// user only when running as root).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCommandDefinition(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let flags = input.byte()
    let isTOML = flags & 1 == 1
    let reader = DefinitionReader(isRoot: flags & 2 == 2) { name in
        name == "nobody" ? RunAsUser(name: "nobody", uid: 65534, gid: 65534, home: "/nonexistent") : nil
    }
    let text = input.restAsText()
    let lineCount = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }.count
    let file = "/etc/adhocd/commands.d/fuzz" + (isTOML ? ".toml" : ".sh")
    let origin = DefinitionReader.Origin(file: file, node: "fuzz", form: isTOML ? .toml : .script)

    if !isTOML { checkHeader(text, lineCount: lineCount, file: file) }
    do {
        let definition = isTOML ? try reader.read(toml: text, origin: origin) : try reader.read(script: text, origin: origin)
        checkDefinition(definition, isRoot: reader.isRoot)
    } catch {
        require(error.file == file, "error about another file: \(error)")
        if let line = error.line { require((1...lineCount).contains(line), "error on line \(line) of \(lineCount): \(error)") }
    }
    return 0
}

private func checkHeader(_ text: String, lineCount: Int, file: String) {
    let toml: String?
    do {
        toml = try ScriptHeader.extract(from: text, file: file)
    } catch {
        if let line = error.line { require((1...lineCount).contains(line), "header error on line \(line) of \(lineCount)") }
        return
    }
    guard let toml else { return }
    let scriptLines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
    // Split as the TOML reader counts lines: at each LF byte (Swift would join a CR ending a
    // header line with the LF after it into one Character).
    let headerLines = toml.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { Substring($0) }
    require(headerLines.count < scriptLines.count, "the header has \(headerLines.count) lines, the script \(scriptLines.count)")
    for (index, line) in headerLines.enumerated() where !line.isEmpty {
        require(scriptLines[index].contains(line), "header line \(index + 1) '\(line)' is not on the script's line \(index + 1)")
    }
}

private func checkDefinition(_ definition: CommandDefinition, isRoot: Bool) {
    require(!definition.name.trimmingWhitespace().isEmpty, "an empty name")
    let variables = Set(definition.parameters.map(\.variable))
    require(variables.count == definition.parameters.count, "a parameter declared twice")
    for parameter in definition.parameters {
        require(ParameterName.isValid(parameter.variable), "parameter name '\(parameter.variable)'")
        require(ParameterDefinition.types.contains(parameter.type), "parameter type \(parameter.type)")
        var field = parameter.formField
        field.isRequired = false
        require((try? DataForm(.form, fields: [field]).validate(DataForm(.submit))) != nil,
                "the defaults of \(parameter.variable) do not pass its own form: \(parameter.defaults)")
    }
    guard case .literal(let program)? = definition.exec.elements.first else { return require(false, "exec does not start with a program") }
    require(program.hasPrefix("/"), "the program '\(program)' is not absolute")
    for case .parameter(let name) in definition.exec.elements {
        require(variables.contains(name), "exec names '{\(name)}', which is not declared")
    }
    require(definition.timeout > .zero && definition.timeout <= .seconds(86_400), "timeout \(definition.timeout)")
    require((1...100).contains(definition.maxRunning), "max_running \(definition.maxRunning)")
    for (name, value) in definition.environment {
        require(RunEnvironment.isValidName(name) && !name.hasPrefix(RunEnvironment.reservedPrefix), "environment name '\(name)'")
        require(!value.utf8.contains(0), "environment value with NUL")
    }
    if let directory = definition.workingDirectory { require(directory.hasPrefix("/"), "workdir '\(directory)'") }
    if definition.user != nil { require(isRoot, "a user without running as root") }
}
