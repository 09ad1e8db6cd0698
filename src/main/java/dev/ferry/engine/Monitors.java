package dev.ferry.engine;

import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * The clients in MONITOR mode and what they hear (Redis's server.monitors and replicationFeedMonitors): after each
 * command the {@link Executor} ran, one line with the time, the database, the client's address and the arguments
 * as the client sent them (some redacted by the command: AUTH's password), quoted as Redis's sdscatrepr quotes.
 * Commands flagged admin or skip_monitor are not shown, nor those the dispatcher refused. Runs on the executing loop.
 */
public final class Monitors {
    /** What a redacted argument shows (Redis's shared.redacted). */
    private static final byte[] REDACTED = {'(', 'r', 'e', 'd', 'a', 'c', 't', 'e', 'd', ')'};
    private static final byte[] HEX = {'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};

    private final ServerContext server;
    private final List<Client> monitors = new ArrayList<>();
    private boolean flushScheduled;

    Monitors(ServerContext server) {
        this.server = server;
    }

    /** Whether anyone listens: the executor formats nothing otherwise. */
    public boolean active() {
        return !monitors.isEmpty();
    }

    /** MONITOR: the client hears every command from now on (CLIENT LIST flag O). */
    public void add(Client c) {
        c.monitor(true);
        monitors.add(c);
    }

    /** The client leaves MONITOR mode (RESET, or its connection closed). */
    public void remove(Client c) {
        if (!c.monitor()) return;
        c.monitor(false);
        monitors.remove(c);
    }

    /**
     * One executed command, as Redis 7.0's call() feeds it: argv as received, the redacted arguments replaced,
     * the client's database after the command (a SELECT shows the database it selected).
     */
    void feed(Client c, byte[][] argv, BitSet redacted) {
        byte[] line = line(Instant.now(), c.db().index(), c.channel().addr(), argv, redacted);
        for (Client m : monitors) {
            // Redis drops what a client with CLIENT REPLY OFF would be sent, monitor lines included
            if (m.replyMode() == Client.REPLY_OFF || m.channel().closed()) continue;
            m.reply().raw(line, 0, line.length);
        }
        scheduleFlush();
    }

    /** The monitors' lines leave once per turn of the loop, after the commands of that turn. */
    private void scheduleFlush() {
        if (flushScheduled) return;
        flushScheduled = true;
        server.executor().runOnContext(v -> {
            flushScheduled = false;
            for (Client m : new ArrayList<>(monitors)) if (m.reply().position() > 0) m.channel().flush();
        });
    }

    /** {@code +<seconds>.<micros> [<db> <ip:port>] "arg" "arg"...} and CRLF (replicationFeedMonitors). */
    static byte[] line(Instant now, int db, String addr, byte[][] argv, BitSet redacted) {
        StringBuilder head = new StringBuilder(64);
        String micros = Long.toString(now.getNano() / 1000);
        head.append('+').append(now.getEpochSecond()).append('.').append("000000", micros.length(), 6).append(micros)
            .append(" [").append(db).append(' ').append(addr).append("] ");
        Bytes out = new Bytes(head.length() + 16 * argv.length);
        for (int i = 0; i < head.length(); i++) out.add(head.charAt(i));
        for (int i = 0; i < argv.length; i++) {
            if (i > 0) out.add(' ');
            repr(out, redacted != null && redacted.get(i) ? REDACTED : argv[i]);
        }
        out.add('\r');
        out.add('\n');
        return out.toArray();
    }

    /** Redis's sdscatrepr: quoted, with C escapes for quotes, backslashes and control characters, \xHH otherwise. */
    private static void repr(Bytes out, byte[] s) {
        out.add('"');
        for (byte b : s) {
            switch (b) {
                case '\\', '"' -> {
                    out.add('\\');
                    out.add(b);
                }
                case '\n' -> out.add('\\', 'n');
                case '\r' -> out.add('\\', 'r');
                case '\t' -> out.add('\\', 't');
                case 7 -> out.add('\\', 'a');
                case '\b' -> out.add('\\', 'b');
                default -> {
                    if (b >= 0x20 && b < 0x7f) {
                        out.add(b);
                    } else {
                        out.add('\\', 'x');
                        out.add(HEX[(b >> 4) & 0xf], HEX[b & 0xf]);
                    }
                }
            }
        }
        out.add('"');
    }

    /** A growing byte array: a line is built once and shared by every monitor. */
    private static final class Bytes {
        private byte[] buf;
        private int len;

        Bytes(int capacity) {
            buf = new byte[Math.max(capacity, 16)];
        }

        void add(int b) {
            if (len == buf.length) buf = java.util.Arrays.copyOf(buf, buf.length * 2);
            buf[len++] = (byte) b;
        }

        void add(int a, int b) {
            add(a);
            add(b);
        }

        byte[] toArray() {
            return java.util.Arrays.copyOf(buf, len);
        }
    }
}
