import Foundation
import NIOCore
import NIOPosix
import Synchronization
import TestSupport
import Testing
import XMPPCore
@testable import XMPPClient

/// A server that answers every stream with `see-other-host`, in front of a real Prosody.
@Suite(.serialized, .enabled(if: Prerequisites.prosodyTestsEnabled, Comment(rawValue: Prerequisites.prosodyMissingMessage)))
struct RedirectIntegrationTests {
    /// Writes a stream header and a `see-other-host` error naming `target`, then closes.
    final class Redirector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let target: String
        let connections = Mutex(0)

        init(target: String) {
            self.target = target
        }

        func channelActive(context: ChannelHandlerContext) {
            connections.withLock { $0 += 1 }
            let text = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
                + "id='r1' from='localhost' version='1.0'><stream:error><see-other-host xmlns='urn:ietf:params:xml:ns:xmpp-streams'>"
                + "\(target)</see-other-host></stream:error></stream:stream>"
            // A small write goes out at once; close then sends it before the FIN.
            context.writeAndFlush(NIOAny(context.channel.allocator.buffer(string: text)), promise: nil)
            context.close(promise: nil)
        }
    }

    @Test func followsSeeOtherHostToTheServerItNames() async throws {
        try await withProsody(accounts: ["bot": "botpw"]) { sandbox in
            let redirector = Redirector(target: "\(sandbox.host):\(sandbox.c2sPort)")
            let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(redirector) }
                }
                .bind(host: "127.0.0.1", port: 0).get()
            defer { server.close(promise: nil) }
            let port = try #require(server.localAddress?.port)
            let bot = makeClient(sandbox, account: "bot", password: "botpw") { configuration in
                configuration.port = port
            }
            try await withClients([bot]) { clients in
                let session = try await clients[0].waitOnline(timeout: .seconds(10))
                #expect(session.server.port == sandbox.c2sPort)
                #expect(redirector.connections.withLock { $0 } == 1)
            }
        }
    }
}
