import Logging
import NetSockPOSIX
import ServiceLifecycle
import UnixSignals

/// The reactor as a swift-service-lifecycle service: graceful shutdown (SIGTERM,
/// SIGINT) asks the daemon to stop, and the service ends when the loop has.
struct ReactorService: Service {
    let daemon: Daemon

    func run() async {
        await withGracefulShutdownHandler {
            await DedicatedThread.run(name: "netsockd-reactor") { [daemon] in daemon.run() }
        } onGracefulShutdown: {
            self.daemon.requestStop()
        }
    }
}

/// SIGHUP reloads the configuration.
struct ReloadSignalService: Service {
    let daemon: Daemon

    func run() async {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            self.daemon.requestReload()
        }
    }
}
