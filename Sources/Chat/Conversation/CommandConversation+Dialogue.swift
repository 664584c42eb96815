import Commands
import XMPPCore

/// A command's stages as questions: fields one at a time, yes/no confirmations, loops.
extension CommandConversation {
    // MARK: Showing a stage

    /// Turns a stage into the dialogue's next question; fills in what the command line gave.
    /// `problems` are the engine's reasons for refusing the last submission of this stage.
    /// Remarks the run carries go out with whatever this shows.
    func show(
        _ stage: CommandStage, problems: [FieldProblem], canGoBack: Bool, run: Dialogue.Run, turn: ConversationTurn,
        state: inout ConversationState
    ) async -> String {
        var run = run
        let carried = run.notes
        run.notes = []
        switch StagePlan(stage, name: run.name) {
        case .secret(let field):
            _ = try? await engine.cancel(run.sessionID, from: turn.requester)
            state.dialogue = nil
            let link = turn.bot.map { ": " + XMPPURI.command(node: run.node, at: $0) } ?? "."
            return lines(carried, "\(run.name) asks for \(field.label ?? field.variable ?? "a secret"), a secret. Secrets are never asked "
                + "over chat, whose history servers and clients keep: use a client with command support\(link)"
                + (run.hasSubmitted ? "" : "\nNothing was run."))

        case .confirmation(let variable, let question):
            // Never answered from the command line: a confirmation is always asked.
            let unused = run.inline.positional.map { "('\($0.abbreviated(to: 40))' was not used: a confirmation is always asked.)" }
            run.inline.positional = nil
            state.dialogue = Dialogue(run: run, stage: stage, canGoBack: canGoBack, step: .confirmation(variable: variable, question: question))
            return lines(carried + StageText.header(stage, instructions: false), unused, StageText.confirmation(question))

        case .loop(let field):
            let variable = field.variable ?? ""
            let typed = run.inline.take([variable])[variable] ?? run.inline.positional
            run.inline.positional = nil
            state.dialogue = Dialogue(run: run, stage: stage, canGoBack: canGoBack, step: .loop(field))
            state.numbering = nil
            guard let typed else { return lines(carried, StageText.loop(stage, field: field, name: run.name)) }
            guard case .option(let value) = OptionMatcher.match(typed, in: field.options) else {
                return lines(carried + ["'\(typed.abbreviated(to: 40))' is not a button of \(run.name)."], StageText.loop(stage, field: field, name: run.name))
            }
            run.notes = carried
            return await submit([variable: [value]], action: .next, run: run, turn: turn, state: &state)

        case .fields(let askable):
            var queue = FieldQueue(questions: askable)
            var notes: [String] = []
            if !problems.isEmpty {
                // A refused submission: ask again what the engine named, keep the rest.
                let named = Set(problems.map(\.variable))
                queue.questions = askable.filter { named.contains($0.variable ?? "") }
                for field in askable where !named.contains(field.variable ?? "") {
                    if let variable = field.variable { queue.collected[variable] = field.values }
                }
                notes = problems.map { Self.sentence($0, name: $0.variable) }
            } else {
                var ended: CommandFailure?
                (queue, notes, ended) = fill(askable, from: &run, turn: turn)
                if let ended {
                    state.dialogue = nil
                    return lines(carried, Self.failureText(ended, name: run.name))
                }
            }
            guard let first = queue.current else {
                run.notes = carried + notes
                return await submit(queue.collected, action: nil, run: run, turn: turn, state: &state)
            }
            state.dialogue = Dialogue(run: run, stage: stage, canGoBack: canGoBack, step: .fields(queue))
            if !first.options.isEmpty { state.numbering = nil }
            return lines(carried + StageText.header(stage) + notes, question(queue))
        }
    }

    /// The questions left after the command line's values: with none given, every field; with
    /// some, only required fields still empty and fields whose value was refused.
    private func fill(
        _ askable: [FormField], from run: inout Dialogue.Run, turn: ConversationTurn
    ) -> (FieldQueue, [String], CommandFailure?) {
        var queue = FieldQueue(questions: askable)
        var notes: [String] = []
        var given = run.inline.take(Set(askable.compactMap(\.variable)))
        if given.isEmpty, let positional = run.inline.positional {
            if askable.count == 1, let variable = askable[0].variable {
                given[variable] = positional
            } else {
                let names = askable.compactMap(\.variable).joined(separator: ", ")
                notes.append("('\(positional.abbreviated(to: 40))' was not used: \(run.name) asks several things; give them as name=value: \(names).)")
            }
            run.inline.positional = nil
        }
        guard !given.isEmpty else { return (queue, notes, nil) }
        var refused: Set<String> = []
        for field in askable {
            guard let variable = field.variable, let text = given[variable] else { continue }
            switch check(text, for: field, run: run, turn: turn) {
            case .accepted(let values): queue.collected[variable] = values
            case .refused(let reason):
                refused.insert(variable)
                notes.append(reason)
            case .ended(let failure): return (queue, notes, failure)
            }
        }
        queue.questions = askable.filter { field in
            guard let variable = field.variable else { return false }
            if refused.contains(variable) { return true }
            return queue.collected[variable] == nil && field.isRequired && field.values.allSatisfy(\.isEmpty)
        }
        return (queue, notes, nil)
    }

    func question(_ queue: FieldQueue) -> String {
        guard let field = queue.current else { return "" }
        return QuestionText.text(for: field, position: (queue.index + 1, queue.questions.count))
    }

    // MARK: Answers

    enum Check {
        case accepted([String])
        case refused(String)
        case ended(CommandFailure)
    }

    /// Reads an answer for one field and checks it with the engine, as a submission would be.
    func check(_ text: String, for field: FormField, run: Dialogue.Run, turn: ConversationTurn) -> Check {
        let name = field.label ?? field.variable ?? "Value"
        let values: [String]
        switch AnswerReader.read(text, for: field) {
        case .useDefault: values = field.values
        case .problem(let reason): return .refused("\(name): \(reason).")
        case .values(let read): values = read
        }
        do {
            switch try engine.validate(values, field: field.variable ?? "", session: run.sessionID, from: turn.requester) {
            case .success(let normalized): return .accepted(normalized)
            case .failure(let error):
                return .refused(error.problems.map { Self.sentence($0, name: name) }.joined(separator: "\n"))
            }
        } catch {
            return .ended(error)
        }
    }

    /// "Level: 42 must be at most 10.", "Name is required.": the field by its label, as asked.
    static func sentence(_ problem: FieldProblem, name: String) -> String {
        let label = problem.label ?? name
        switch problem.kind {
        case .missingRequired, .tooManyValues, .unknownField, .givenMoreThanOnce: return "\(label) \(problem.reason)."
        default: return "\(label): \(problem.reason)."
        }
    }

    /// A line while a command is open: an answer, or one of the words every dialogue knows.
    func continueDialogue(_ dialogue: Dialogue, with line: String, turn: ConversationTurn, state: inout ConversationState) async -> String {
        let word = line.lowercased()
        switch word {
        case "cancel":
            return await cancel(dialogue, turn: turn, state: &state)
        case "back":
            return await back(dialogue, turn: turn, state: &state)
        case "help", "?":
            return repeatQuestion(dialogue)
        default:
            break
        }
        var dialogue = dialogue
        switch dialogue.step {
        case .fields(var queue):
            guard let field = queue.current, let variable = field.variable else {
                return await submit(queue.collected, action: nil, run: dialogue.run, turn: turn, state: &state)
            }
            switch check(line, for: field, run: dialogue.run, turn: turn) {
            case .refused(let reason):
                return lines(reason, question(queue))
            case .ended(let failure):
                state.dialogue = nil
                return Self.failureText(failure, name: dialogue.run.name)
            case .accepted(let values):
                queue.collected[variable] = values
                queue.index += 1
                guard let next = queue.current else {
                    return await submit(queue.collected, action: nil, run: dialogue.run, turn: turn, state: &state)
                }
                dialogue.step = .fields(queue)
                state.dialogue = dialogue
                if !next.options.isEmpty { state.numbering = nil }
                return question(queue)
            }

        case .confirmation(let variable, let question):
            switch word {
            case "yes", "y":
                return await submit(variable.map { [$0: ["true"]] } ?? [:], action: nil, run: dialogue.run, turn: turn, state: &state)
            case "no", "n":
                // A no is submitted where the stage has a field for it, so the command itself
                // hears it (commands.d audits it as declined), as with a client's form.
                guard let variable else { return await cancel(dialogue, turn: turn, state: &state) }
                return await submit([variable: ["false"]], action: nil, run: dialogue.run, turn: turn, state: &state)
            default:
                return lines("Answer yes or no.", StageText.confirmation(question))
            }

        case .loop(let field):
            return await press(line, on: field, dialogue: dialogue, turn: turn, state: &state)
        }
    }

    /// A line while a loop is open: a button, `done`, or another command (which closes it).
    private func press(_ line: String, on field: FormField, dialogue: Dialogue, turn: ConversationTurn, state: inout ConversationState) async -> String {
        let run = dialogue.run
        if line.lowercased() == "done" {
            guard dialogue.stage.canComplete || dialogue.stage.isFinal else { return await cancel(dialogue, turn: turn, state: &state) }
            let finished = await submit([:], action: .complete, run: run, turn: turn, state: &state)
            return state.dialogue == nil ? lines("Closed \(run.name).", finished) : finished
        }
        switch OptionMatcher.match(line, in: field.options) {
        case .option(let value):
            return await submit([field.variable ?? "": [value]], action: .next, run: run, turn: turn, state: &state)
        case .ambiguous(let values):
            let names = values.map { value in field.options.first { $0.value == value }?.label ?? value }
            return "'\(line.abbreviated(to: 40))' could be \(names.joined(separator: " or ")); type its number."
        case .none:
            break
        }
        guard let typed = TypedLine(line), isCommand(typed, turn: turn, numbering: state.numbering) else {
            return "'\(line.abbreviated(to: 40))' is not a button of \(run.name). Type a number or a button, or done to close it."
        }
        // Another command: the loop is left (cancelled: a loop has nothing pending to lose).
        _ = try? await engine.cancel(run.sessionID, from: turn.requester)
        state.dialogue = nil
        return lines("(Closed \(run.name).)", await command(line, turn: turn, state: &state))
    }

    private func isCommand(_ typed: TypedLine, turn: ConversationTurn, numbering: [String]?) -> Bool {
        if aliases.contains(where: { $0.name == typed.head.lowercased() }) { return true }
        let entries = engine.available(for: turn.requester).map { CommandResolver.Entry(node: $0.node, name: $0.name) }
        switch CommandResolver.resolve(typed, among: entries, numbering: numbering) {
        case .command, .ambiguous: return true
        case .unknown, .noSuchNumber: return false
        }
    }

    // MARK: Moving

    func submit(
        _ values: [String: [String]], action: SubmitAction?, run: Dialogue.Run, turn: ConversationTurn, state: inout ConversationState
    ) async -> String {
        store.setRunning(turn.key, run.name)
        let answer: CommandAnswer
        do {
            answer = try await engine.submit(.values(SubmittedValues(values)), to: run.sessionID, from: turn.requester, action: action)
        } catch {
            state.dialogue = nil
            return Self.failureText(error, name: run.name)
        }
        var run = run
        if case .rejected = answer.state {} else { run.hasSubmitted = true }
        return await present(answer, run: run, turn: turn, state: &state)
    }

    private func cancel(_ dialogue: Dialogue, turn: ConversationTurn, state: inout ConversationState) async -> String {
        state.dialogue = nil
        do {
            _ = try await engine.cancel(dialogue.run.sessionID, from: turn.requester)
        } catch {
            return Self.failureText(error, name: dialogue.run.name)
        }
        return Self.canceled(dialogue.run)
    }

    /// The previous question of this stage, or the previous stage.
    private func back(_ dialogue: Dialogue, turn: ConversationTurn, state: inout ConversationState) async -> String {
        var dialogue = dialogue
        if case .loop = dialogue.step {
            // A loop's earlier stages are old states of the same thing, not questions.
            return lines("\(dialogue.run.name) has no previous question; done closes it.", repeatQuestion(dialogue))
        }
        if case .fields(var queue) = dialogue.step, queue.index > 0 {
            queue.index -= 1
            // Asked again with the earlier answer as its default, as `engine.back` does for a stage.
            if let variable = queue.questions[queue.index].variable, let earlier = queue.collected.removeValue(forKey: variable) {
                queue.questions[queue.index].values = earlier
            }
            dialogue.step = .fields(queue)
            state.dialogue = dialogue
            return question(queue)
        }
        guard dialogue.canGoBack else {
            return lines("This is the first question of \(dialogue.run.name); cancel stops it.", repeatQuestion(dialogue))
        }
        let answer: CommandAnswer
        do {
            answer = try await engine.back(dialogue.run.sessionID, from: turn.requester)
        } catch .noPreviousStage {
            return lines("This is the first question of \(dialogue.run.name); cancel stops it.", repeatQuestion(dialogue))
        } catch {
            state.dialogue = nil
            return Self.failureText(error, name: dialogue.run.name)
        }
        var run = dialogue.run
        run.inline = InlineValues()
        return await present(answer, run: run, turn: turn, state: &state)
    }

    /// `help` in a dialogue: what is asked, and what can be typed.
    private func repeatQuestion(_ dialogue: Dialogue) -> String {
        switch dialogue.step {
        case .fields(let queue):
            return lines("\(dialogue.run.name) asks:", question(queue), "(back: the previous question; cancel: stop \(dialogue.run.name).)")
        case .confirmation(_, let question):
            return lines(StageText.header(dialogue.stage, instructions: false), StageText.confirmation(question))
        case .loop(let field):
            return StageText.loop(dialogue.stage, field: field, name: dialogue.run.name)
        }
    }
}
