import NetSockDaemon

await NetsockdCommand.start()
