package dev.ferry.support;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A minimal RESP client that returns each reply as its exact bytes, so that tests can compare Ferry
 * with redis-server byte for byte. Understands RESP2 and RESP3 framing.
 */
public final class RawClient implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    public RawClient(int port) throws IOException {
        this("127.0.0.1", port);
    }

    public RawClient(String host, int port) throws IOException {
        socket = new Socket(host, port);
        socket.setSoTimeout(20_000);
        socket.setTcpNoDelay(true);
        out = socket.getOutputStream();
        in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
    }

    /** Sends one command as a multibulk and returns the reply bytes as text (binary-safe via ISO-8859-1). */
    public String call(String... args) throws IOException {
        byte[][] b = new byte[args.length][];
        for (int i = 0; i < args.length; i++) b[i] = args[i].getBytes(StandardCharsets.UTF_8);
        return call(b);
    }

    public String call(byte[]... args) throws IOException {
        send(args);
        return readReply();
    }

    public void send(byte[]... args) throws IOException {
        out.write(encode(args));
        out.flush();
    }

    /** Sends bytes as they are (inline commands, garbage, split frames). */
    public void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    public void sendRaw(String s) throws IOException {
        sendRaw(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    public static byte[] encode(byte[]... args) {
        ByteArrayOutputStream req = new ByteArrayOutputStream();
        req.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (byte[] a : args) {
            req.writeBytes(("$" + a.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            req.writeBytes(a);
            req.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        return req.toByteArray();
    }

    /** Reads one complete reply and returns its raw bytes (ISO-8859-1 text). */
    public String readReply() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        readValue(buf);
        return buf.toString(StandardCharsets.ISO_8859_1);
    }

    /** True when the server closed the connection (reads until EOF or timeout). */
    public boolean closedByServer() {
        try {
            return in.read() < 0;
        } catch (IOException e) {
            return true;
        }
    }

    private void readValue(ByteArrayOutputStream buf) throws IOException {
        String line = readLine(buf);
        char type = line.charAt(0);
        switch (type) {
            case '+', '-', ':', '_', ',', '#', '(' -> { }
            case '$', '=', '!' -> {
                long n = Long.parseLong(line.substring(1));
                if (n >= 0) {
                    byte[] data = in.readNBytes((int) n + 2);
                    if (data.length < n + 2) throw new IOException("connection closed in a bulk reply");
                    buf.writeBytes(data);
                }
            }
            case '*', '~', '>' -> {
                long n = Long.parseLong(line.substring(1));
                for (long i = 0; i < n; i++) readValue(buf);
            }
            case '%', '|' -> {
                long n = Long.parseLong(line.substring(1));
                for (long i = 0; i < 2 * n; i++) readValue(buf);
                if (type == '|') readValue(buf);
            }
            default -> throw new IOException("unexpected reply type: " + line);
        }
    }

    private String readLine(ByteArrayOutputStream buf) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            int c = in.read();
            if (c < 0) throw new IOException("connection closed by server after: " + sb);
            buf.write(c);
            if (c == '\r') {
                int lf = in.read();
                buf.write(lf);
                return sb.toString();
            }
            sb.append((char) c);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
