import Testing
@testable import XMPPClient

@Suite struct EventBroadcasterTests {
    @Test func aSubscriberGetsOnlyTheEventsItWants() async {
        let broadcaster = EventBroadcaster<Int>()
        let everything = broadcaster.subscribe()
        let evens = broadcaster.subscribe { $0.isMultiple(of: 2) }
        for number in 1...6 { broadcaster.yield(number) }
        broadcaster.finish()

        var all: [Int] = []
        for await number in everything { all.append(number) }
        var even: [Int] = []
        for await number in evens { even.append(number) }
        #expect(all == [1, 2, 3, 4, 5, 6])
        #expect(even == [2, 4, 6])
    }

    @Test func unwantedEventsTakeNoRoomInASubscribersBuffer() async {
        let broadcaster = EventBroadcaster<Int>(bufferSize: 2)
        let rare = broadcaster.subscribe { $0 > 100 }
        // A flood the subscriber does not want must not push out the one it does.
        broadcaster.yield(101)
        for number in 1...50 { broadcaster.yield(number) }
        broadcaster.finish()
        var received: [Int] = []
        for await number in rare { received.append(number) }
        #expect(received == [101])
    }
}
