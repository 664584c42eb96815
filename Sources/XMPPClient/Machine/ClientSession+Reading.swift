import XMPPCore

/// What the server sends, by phase: the header, features and negotiation answers, stream
/// errors, and once online the stanzas and XEP-0198 elements.
extension ClientSession {
    mutating func receive(_ event: StreamEvent) {
        switch event {
        case .opened(let header):
            guard phase == .awaitingHeader else {
                endWithStreamError(StreamError(.badFormat, text: "unexpected stream header"), because: .unexpectedElement("stream:stream"))
                return
            }
            if let version = header.version, version.hasPrefix("0") || version.isEmpty {
                endWithStreamError(StreamError(.unsupportedVersion), because: .streamError(StreamError(.unsupportedVersion, text: "the server speaks version \(version)")))
            } else if header.contentNamespace != StreamNamespace.client {
                endWithStreamError(StreamError(.invalidNamespace), because: .streamError(StreamError(.invalidNamespace, text: header.contentNamespace)))
            } else {
                phase = .awaitingFeatures
            }
        case .element(let element):
            if element.name == "error", element.namespace == StreamNamespace.stream {
                receiveStreamError(StreamError(element: element))
            } else {
                receive(element)
            }
        case .skipped(let skipped):
            if phase == .online || phase == .enabling {
                if Self.isStanza(name: skipped.name, namespace: skipped.namespace) { management.countInbound() }
                emit(.deliverSkipped(skipped))
            } else if phase != .closing {
                endWithStreamError(StreamError(.policyViolation), because: .unexpectedElement("\(skipped.name) (\(skipped.reason))"))
            }
        case .closed:
            // Our own closing tag is out already when we are the ones leaving.
            if !signingOff { emit(.write(StreamHeader.closing)) }
            end(signingOff ? .shuttingDown : .streamClosed)
        }
    }

    private mutating func receiveStreamError(_ error: StreamError) {
        var redirect: ConnectionTarget?
        if error.condition == .seeOtherHost, let address = error.conditionText, let transport {
            redirect = ConnectionTarget(address: address, defaultPort: transport.target.directTLS ? 5223 : 5222, directTLS: transport.target.directTLS)
        }
        emit(.write(StreamHeader.closing))
        end(.streamError(error), redirect: redirect)
    }

    private mutating func receive(_ element: XMLElement) {
        switch phase {
        case .awaitingFeatures:
            guard element.name == "features", element.namespace == StreamNamespace.stream else {
                return endWithStreamError(StreamError(.unsupportedStanzaType), because: .unexpectedElement(element.name))
            }
            receiveFeatures(element)
        case .awaitingProceed:
            guard element.name == "proceed", element.namespace == StreamNamespace.tls else {
                return end(.tlsFailed("the server refused STARTTLS (<\(element.name)/>)"))
            }
            phase = .awaitingTLS
            emit(.startTLS)
        case .authenticating:
            authenticationStep(element)
        case .resuming:
            resumptionAnswer(element)
        case .binding, .establishingSession:
            bindingAnswer(element)
        case .enabling:
            if element.namespace == StreamManagement.namespace, element.name == "enabled" || element.name == "failed" {
                enablingAnswer(element)
            } else {
                // Sent before the server's <enabled/>, so not in its count (XEP-0198 §4: it
                // starts counting when it sends <enabled/>): counted here, our 'h' ran ahead of
                // the server's and Prosody ended the stream ("acknowledged more stanzas than
                // sent"), as happened when a contact's ping arrived right after binding.
                receiveOnline(element, counted: false)
            }
        case .online:
            receiveOnline(element)
        case .closing:
            if element.namespace == StreamManagement.namespace, element.name == "a" { acknowledge(element) }
        case .disconnected, .awaitingHeader, .awaitingTLS:
            break
        }
    }

    static func isStanza(name: String, namespace: String) -> Bool {
        namespace == StreamNamespace.client && (name == "message" || name == "presence" || name == "iq")
    }
}
