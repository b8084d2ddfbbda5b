import NetSockBench

BenchCommand.main()
