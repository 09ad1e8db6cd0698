package dev.ferry.server;

/** Counters behind INFO stats and the Prometheus meters. Written by the executing thread only. */
public final class ServerStats {
    public long commandsProcessed;
    public long connectionsReceived;
    public long rejectedConnections;
    public long totalErrorReplies;
    public long netInputBytes;
    public long netOutputBytes;

    public void reset() {
        commandsProcessed = connectionsReceived = rejectedConnections = totalErrorReplies = 0;
        netInputBytes = netOutputBytes = 0;
    }
}
