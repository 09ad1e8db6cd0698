package dev.ferry.engine;

/**
 * One client described the way CLIENT LIST, CLIENT INFO and the log lines about a client show it
 * (networking.c catClientInfoString).
 */
public final class ClientInfo {
    private ClientInfo() {}

    /**
     * One line in Redis 7.0's field order, with 7.2's lib-name and lib-ver at the end since Ferry accepts
     * CLIENT SETINFO. Ferry has no file descriptors, so fd is a stand-in. The buffer fields are Ferry's own
     * buffers, measured: qbuf the input read and not executed yet, qbuf-free what is allocated for input
     * beyond it, rbs/rbp the reply buffer's size and its recent peak use, obl the replies of the batch being
     * executed, oll and omem the replies waiting for the socket (the heap queue of a client that does not
     * read fast enough plus what Netty holds for it), tot-mem the sum of them.
     *
     * @param argvMem bytes of the arguments of the command the client is executing (0 when it is not)
     */
    public static String line(Client s, long argvMem) {
        long now = System.currentTimeMillis();
        ClientChannel ch = s.channel();
        long qbuf = ch.pendingInputBytes();
        long qbufFree = Math.max(0, ch.inputBufferBytes() - qbuf);
        long rbs = s.reply().capacity();
        long obl = s.reply().position();
        long rbp = Math.max(ch.replyBufferPeak(), obl);
        long omem = ch.pendingOutputBytes();
        StringBuilder flags = new StringBuilder();
        // a monitor is a CLIENT_SLAVE with CLIENT_MONITOR in Redis: O where a replica shows S
        if (s.monitor()) flags.append('O');
        if (s.channel().type() == ClientType.REPLICA) flags.append('S');
        if (s.channel().type() == ClientType.MASTER) flags.append('M');
        if (s.subscribed()) flags.append('P');
        if (s.inMulti()) flags.append('x');
        if (s.blocked() != null) flags.append('b');
        if (s.transaction().watchedKeysDirty()) flags.append('d');
        if (s.noEvict()) flags.append('e');
        if (s.noTouch()) flags.append('T');
        if (flags.length() == 0) flags.append('N');
        return "id=" + s.id()
            + " addr=" + ch.addr()
            + " laddr=" + ch.laddr()
            + " fd=" + (s.id() + 7)
            + " name=" + s.name()
            + " age=" + (now - s.createdMillis()) / 1000
            + " idle=" + (now - s.lastInteractionMillis()) / 1000
            + " flags=" + flags
            + " db=" + s.db().index()
            + " sub=" + PubSub.channelCount(s) + " psub=" + PubSub.patternCount(s) + " ssub=" + PubSub.shardCount(s)
            + " multi=" + s.transaction().queuedCount()
            + " qbuf=" + qbuf
            + " qbuf-free=" + qbufFree
            + " argv-mem=" + argvMem
            + " multi-mem=0"
            + " rbs=" + rbs + " rbp=" + rbp
            + " obl=" + obl + " oll=" + ch.outputListLength() + " omem=" + omem
            + " tot-mem=" + (qbuf + qbufFree + argvMem + rbs + omem)
            + " events=" + (ch.reading() ? "r" : "") + (ch.writePending() ? "w" : "")
            + " cmd=" + s.lastCommand()
            + " user=default"
            + " redir=-1"
            + " resp=" + s.protocol()
            + " lib-name=" + s.libName()
            + " lib-ver=" + s.libVersion();
    }
}
