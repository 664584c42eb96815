import Commands
import XMPPCore

/// `set-presence`: change the bot's show and status message, with the fields of XEP-0146's
/// "Change Status" so clients that know that form render it well.
public struct SetPresenceCommand: Command {
    public let node = "set-presence"
    public let name = "Set presence"
    public let policy: AccessPolicy
    public let control: PresenceControl

    static let formType = "http://jabber.org/protocol/rc"
    /// XEP-0146's list without "offline": a bot that goes offline cannot be told to come back.
    static let shows: [(Presence.Show, String)] = [
        (.chat, "Chat"), (.online, "Online"), (.away, "Away"), (.xa, "Extended away"), (.dnd, "Do not disturb"),
    ]

    public init(policy: AccessPolicy, control: PresenceControl) {
        self.policy = policy
        self.control = control
    }

    /// A status message goes to every subscriber with each presence until it is changed again:
    /// a contact's 200 KB message would cost each of them 200 KB a time. A line or two fits.
    static let messageCharacters = 1024

    /// The boolean that hands the presence back to the health monitor; only offered while it runs.
    static let automaticField = "automatic"

    public func start(_ context: CommandContext) async throws -> CommandStep {
        let current = control.current()
        var instructions = ["Choose how the bot appears to its contacts."]
        var fields = [
            FormField("FORM_TYPE", type: .hidden, values: [Self.formType]),
            FormField("status", type: .listSingle, label: "Status", isRequired: true, values: [current.show.rawValue],
                      options: Self.shows.map { FormField.Option($0.0.rawValue, label: $0.1) }),
            FormField("status-priority", type: .textSingle, label: "Priority", values: [String(current.priority)],
                      validation: FieldValidation(datatype: .byte, method: .range(min: "-128", max: "127"))),
            // text-multi: one line a value (XEP-0004), as clients edit it.
            FormField("status-message", type: .textMulti, label: "Message",
                      values: current.status.map { $0.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init) } ?? []),
        ]
        if control.automaticIsActive() {
            instructions.append("The health monitor sets the presence; what you choose here stays until you come back and tick \"Back to the health monitor\".")
            fields.append(FormField(Self.automaticField, type: .boolean, label: "Back to the health monitor", values: ["false"]))
        }
        let form = DataForm(.form, title: "Set presence", instructions: instructions, fields: fields)
        return .ask(CommandStage(id: "presence", form: form, isFinal: true))
    }

    public func submit(stage: String, values: SubmittedValues, action: SubmitAction, context: CommandContext) async throws -> CommandStep {
        if values.bool(Self.automaticField) == true {
            await control.resumeAutomatic()
            return .complete(.note("Presence follows the health monitor again."))
        }
        guard let showText = values.string("status"), let show = Presence.Show(rawValue: showText) else {
            return .complete(.failure("Unknown status."))
        }
        let message = values["status-message"].joined(separator: "\n").trimmingWhitespace()
        guard message.count <= Self.messageCharacters else {
            return .complete(.failure("Not changed: the message has \(message.count) characters; a presence carries at most \(Self.messageCharacters)."))
        }
        let choice = PresenceChoice(
            show: show, status: message.isEmpty ? nil : message,
            priority: values.integer("status-priority").map(Int.init) ?? control.current().priority)
        await control.change(choice)
        let label = Self.shows.first { $0.0 == show }?.1 ?? show.rawValue
        return .complete(.note(choice.status.map { "Presence set to \(label): \($0)" } ?? "Presence set to \(label)."))
    }
}
