import NetSockCtl

NetsockctlCommand.start()
