import XMPPCore

extension DiscoInfo {
    /// The XEP-0115 §5.1 verification string: identities then features, sorted, '<'-terminated,
    /// SHA-1, base64. Identities carry no xml:lang here.
    public var capsVerification: String {
        var input = ""
        let sortedIdentities = identities.sorted { ($0.category, $0.type, $0.name ?? "") < ($1.category, $1.type, $1.name ?? "") }
        for identity in sortedIdentities {
            input += "\(identity.category)/\(identity.type)//\(identity.name ?? "")<"
        }
        for feature in Set(features).sorted() { input += feature + "<" }
        return Base64.encode(Digest.sha1.hash(Array(input.utf8)))
    }
}
