package dev.ferry.replication;

import dev.ferry.support.RawClient;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A replica reduced to the wire, for what a real replica does not let a test see: the handshake, +FULLRESYNC, the
 * payload's header and bytes and what follows them, read (or not read) by hand.
 */
final class FakeReplica implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    /** Connects and announces itself; with capaEof it can read a diskless transfer. */
    FakeReplica(int port, boolean capaEof) throws IOException {
        socket = new Socket();
        // a small receive buffer (set before connecting, so the window is small too): a replica that stops reading
        // holds back little of a transfer
        socket.setReceiveBufferSize(64 * 1024);
        socket.connect(new java.net.InetSocketAddress("127.0.0.1", port));
        socket.setSoTimeout(20_000);
        in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
        out = socket.getOutputStream();
        send("REPLCONF", "listening-port", Integer.toString(socket.getLocalPort()));
        expect("+OK");
        if (capaEof) {
            send("REPLCONF", "capa", "eof", "capa", "psync2");
            expect("+OK");
        }
    }

    int localPort() {
        return socket.getLocalPort();
    }

    void send(String... args) throws IOException {
        byte[][] b = new byte[args.length][];
        for (int i = 0; i < args.length; i++) b[i] = args[i].getBytes(StandardCharsets.UTF_8);
        out.write(RawClient.encode(b));
        out.flush();
    }

    /** Bytes as they are, outside any command (a replica's keepalive newline). */
    void sendRaw(String bytes) throws IOException {
        out.write(bytes.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** PSYNC ? -1: returns the +FULLRESYNC line (the keepalive newlines before it skipped). */
    String psync() throws IOException {
        send("PSYNC", "?", "-1");
        return line();
    }

    /** The payload's first line: "$EOF:<mark>" (diskless) or "$<length>" (the snapshot file). */
    String payloadHeader() throws IOException {
        return line();
    }

    /** Reads exactly n bytes of the payload. */
    byte[] read(int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) throw new IOException("connection closed after " + b.length + " of " + n + " bytes");
        return b;
    }

    /** Reads the payload up to and including the 40-byte mark that ends a diskless transfer; returns the RDB. */
    byte[] readUntilMark(String mark) throws IOException {
        byte[] m = mark.getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream rdb = new ByteArrayOutputStream();
        byte[] tail = new byte[m.length];
        long n = 0;
        while (true) {
            int c = in.read();
            if (c < 0) throw new IOException("connection closed after " + n + " payload bytes");
            rdb.write(c);
            System.arraycopy(tail, 1, tail, 0, m.length - 1);
            tail[m.length - 1] = (byte) c;
            if (++n >= m.length && Arrays.equals(tail, m)) {
                byte[] all = rdb.toByteArray();
                return Arrays.copyOf(all, all.length - m.length);
            }
        }
    }

    /** What arrives within the time: empty when nothing does. */
    byte[] readFor(long millis) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        long deadline = System.currentTimeMillis() + millis;
        int before = socket.getSoTimeout();
        try {
            while (true) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) break;
                socket.setSoTimeout((int) left);
                int c;
                try {
                    c = in.read();
                } catch (SocketTimeoutException e) {
                    break;
                }
                if (c < 0) break;
                got.write(c);
            }
        } finally {
            socket.setSoTimeout(before);
        }
        return got.toByteArray();
    }

    /** Closes with a reset, as a crashed replica's kernel would: nothing it was sent is read any more. */
    void abort() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    private void expect(String reply) throws IOException {
        String got = line();
        if (!got.equals(reply)) throw new IOException("expected " + reply + ", got " + got);
    }

    /** One CRLF-ended line, after any bare newlines (a master's keepalives). */
    private String line() throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) == '\n') { }
        while (c >= 0) {
            if (c == '\r') {
                if (in.read() != '\n') throw new IOException("CR without LF after " + sb);
                return sb.toString();
            }
            sb.append((char) c);
            c = in.read();
        }
        throw new IOException("connection closed after " + sb);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
