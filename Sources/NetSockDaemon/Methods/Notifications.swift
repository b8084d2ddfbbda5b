import NetSockRPC

/// Notifications the daemon sends, documented in the OpenRPC document's `x-notifications`.
enum Notifications {
    static let all: [NotificationSpec] = [
        NotificationSpec(
            "events.notify", summary: "An event on a subscribed topic.",
            params: [
                Field("subscription", .integer, "Id from events.subscribe."),
                Field("seq", .integer, "Daemon-wide increasing sequence number."),
                Field("time", .string(format: "date-time"), "RFC 3339 UTC time."),
                Field("topic", .string(oneOf: EventMethods.topics), ""),
                Field("event", .string, "Event name, e.g. status_changed."),
                Field("data", .object([], open: true), "Event details."),
            ]),
        NotificationSpec(
            "events.lost", summary: "Events of a subscription were dropped because the client read too slowly.",
            params: [
                Field("subscription", .integer, ""), Field("from_seq", .integer, "First dropped seq."),
                Field("to_seq", .integer, "Last dropped seq."),
            ]),
        NotificationSpec("daemon.stopping", summary: "The daemon is about to exit gracefully.", params: []),
        NotificationSpec(
            "socket.sigio", summary: "Something changed on a socket with sigio enabled (coalesced until the next I/O call).",
            params: [Field("socket", .integer, "")]),
        NotificationSpec(
            "progress", summary: "The stage a long request (interface.connect) has reached.",
            params: [Field("request", .any, "The id of the request."), Field("stage", .string, "Stage name.")]),
        NotificationSpec(
            "dns.result", summary: "The answer to dns.gethostbyname_async.",
            params: [
                Field("request", .integer, ""), .optional("address", .string, ""), .optional("addresses", .array(.string), ""),
                .optional("error", .object([Field("code", .integer, ""), Field("message", .string, "")]), "NSAPI error on failure."),
            ]),
    ]
}
