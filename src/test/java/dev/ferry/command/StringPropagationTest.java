package dev.ferry.command;

import dev.ferry.engine.*;

import dev.ferry.support.FerryPort;
import dev.ferry.support.RawClient;
import dev.ferry.support.RedisPeer;

import io.quarkus.test.junit.QuarkusTest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What string commands send to replicas (ARCHITECTURE.md rule 5), compared with what a real redis-server 7.0
 * sends: this test attaches to redis-server as a replica (SYNC) and to Ferry's replication stream, runs
 * the same commands on both, and compares the two streams command by command. Absolute times computed
 * from "now" (SET EX -> PXAT, GETEX EX -> PEXPIREAT) may differ by the few ms between the two runs.
 */
@QuarkusTest
class StringPropagationTest {
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer();

    static final String[][] SCRIPT = {
        {"SET", "sp:a", "1", "EX", "100", "NX"},
        {"SET", "sp:a", "2", "PX", "100000", "GET"},
        {"set", "sp:a", "3", "get"},
        {"set", "sp:a", "3", "xx", "GET", "keepttl", "get"},
        {"SET", "sp:a", "4", "EXAT", "9999999999"},
        {"SET", "sp:a", "5", "PXAT", "9999999999999", "XX"},
        {"SET", "sp:a", "6", "NX"},
        {"SET", "sp:a", "6", "NX", "GET"},
        {"SET", "sp:a", "6", "EX", "0"},
        {"SET", "sp:a", "7", "KEEPTTL"},
        {"SET", "sp:a", "8"},
        {"SETEX", "sp:b", "100", "v"},
        {"PSETEX", "sp:b", "100000", "v"},
        {"GETSET", "sp:b", "w"},
        {"GETDEL", "sp:b"},
        {"GETDEL", "sp:b"},
        {"SETNX", "sp:b", "1"},
        {"SETNX", "sp:b", "2"},
        {"set", "sp:c", "1.5"},
        {"INCRBYFLOAT", "sp:c", "1"},
        {"GETEX", "sp:c", "EX", "100"},
        {"GETEX", "sp:c", "PX", "100000"},
        {"GETEX", "sp:c", "persist"},
        {"GETEX", "sp:c", "PERSIST"},
        {"GETEX", "sp:c"},
        {"GETEX", "sp:c", "EXAT", "9999999999"},
        {"GETEX", "sp:c", "PXAT", "1"},
        {"GETEX", "sp:c", "PXAT", "1"},
        {"INCRBYFLOAT", "sp:c", "abc"},
        {"MSET", "sp:m1", "1", "sp:m2", "2"},
        {"MSETNX", "sp:m1", "1", "sp:m3", "3"},
        {"MSETNX", "sp:m3", "3", "sp:m4", "4"},
        {"INCR", "sp:m1"},
        {"DECR", "sp:m1"},
        {"INCRBY", "sp:m1", "10"},
        {"DECRBY", "sp:m1", "3"},
        {"INCR", "sp:a"},
        {"APPEND", "sp:m2", "x"},
        {"SETRANGE", "sp:m2", "1", "yz"},
        {"SETRANGE", "sp:m2", "1", ""},
        {"SETRANGE", "sp:none", "1", ""},
        {"GET", "sp:m2"},
        {"SET", "sp:d", "v", "PXAT", "1"},
        {"GET", "sp:d"},
        {"SET", "sp:e", "v"},
        {"GETEX", "sp:e", "EXAT", "1"},
        {"INCRBYFLOAT", "sp:f", "0.1"},
        {"INCRBYFLOAT", "sp:f", "1e3"},
        // bitmaps: SETBIT and BITOP propagate as themselves, and only when they changed something
        {"SETBIT", "sp:bits", "7", "1"},
        {"SETBIT", "sp:bits", "7", "1"},
        {"SETBIT", "sp:bits", "100", "0"},
        {"SETBIT", "sp:bits", "7", "0"},
        {"SETBIT", "sp:bits", "x", "1"},
        {"SETBIT", "sp:m1", "0", "1"},
        {"GETBIT", "sp:bits", "7"},
        {"SET", "sp:bs", "abc"},
        {"BITOP", "AND", "sp:bdest", "sp:bits", "sp:bs"},
        {"bitop", "not", "sp:bdest2", "sp:bs"},
        {"BITOP", "OR", "sp:bdest", "sp:bnone"},
        {"BITOP", "OR", "sp:bdest", "sp:bnone"},
        {"BITOP", "XOR", "sp:bdest", "sp:bnone", "sp:bs", "sp:bits"},
        // BITFIELD propagates as itself when a write changed a field (or came with a created or grown string)
        {"BITFIELD", "sp:bf", "SET", "u8", "0", "0", "SET", "u8", "0", "0"},
        {"BITFIELD", "sp:bf", "SET", "u8", "0", "0"},
        {"BITFIELD", "sp:bf", "GET", "u8", "0"},
        {"BITFIELD", "sp:bf", "SET", "u8", "0", "5", "GET", "u8", "0", "SET", "u8", "0", "5"},
        {"BITFIELD", "sp:bf", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "300"},
        {"BITFIELD", "sp:bf2", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "300"},
        {"BITFIELD", "sp:bf", "OVERFLOW", "FAIL", "INCRBY", "u8", "100", "300", "SET", "i8", "0", "5"},
        {"BITFIELD", "sp:bf", "SET", "i8", "200", "0"},
        {"BITFIELD", "sp:bf", "SET", "u64", "0", "1"},
        {"BITFIELD_RO", "sp:bf", "GET", "u8", "0"},
        {"SET", "sp:bfi", "123"},
        {"BITFIELD", "sp:bfi", "SET", "u8", "0", "49"},
        {"BITFIELD", "sp:bfi", "INCRBY", "u8", "0", "1"},
        {"GET", "sp:bfi"},
    };

    @Test
    void streamsMatchRedis() throws Exception {
        List<List<String>> fromRedis;
        try (RedisTap tap = new RedisTap(redis.port()); RawClient client = new RawClient(redis.port())) {
            for (String[] cmd : SCRIPT) client.call(cmd);
            client.call("SET", "sp:end", "1");
            fromRedis = tap.until("sp:end");
        }

        List<List<String>> fromFerry;
        try (FerryStreamCapture capture = new FerryStreamCapture(); RawClient client = new RawClient(FerryPort.get())) {
            for (String[] cmd : SCRIPT) client.call(cmd);
            client.call("SET", "sp:end", "1");
            fromFerry = capture.until("sp:end");
        }

        assertEquals(fromRedis.size(), fromFerry.size(), () -> "redis: " + fromRedis + "\nferry: " + fromFerry);
        for (int i = 0; i < fromRedis.size(); i++) {
            List<String> r = fromRedis.get(i), f = fromFerry.get(i);
            String why = "command " + i + ": redis " + r + " ferry " + f;
            assertEquals(r.size(), f.size(), why);
            for (int k = 0; k < r.size(); k++) {
                if (r.get(k).equals(f.get(k))) continue;
                boolean time = k > 0 && (r.get(k - 1).equals("PXAT") || (k == 2 && r.get(0).equals("PEXPIREAT")));
                assertTrue(time, why);
                long delta = Math.abs(Long.parseLong(r.get(k)) - Long.parseLong(f.get(k)));
                assertTrue(delta < 10_000, why);
            }
        }
        // the rewrites this test is about, in case both servers agreed on something unexpected
        assertTrue(fromFerry.stream().anyMatch(c -> c.equals(List.of("SET", "sp:c", "2.5", "KEEPTTL"))), fromFerry::toString);
        assertTrue(fromFerry.stream().anyMatch(c -> c.equals(List.of("SET", "sp:b", "w"))), fromFerry::toString);
        assertTrue(fromFerry.stream().anyMatch(c -> c.equals(List.of("PERSIST", "sp:c"))), fromFerry::toString);
        assertTrue(fromFerry.stream().anyMatch(c -> c.equals(List.of("set", "sp:a", "3", "xx", "keepttl"))), fromFerry::toString);
        assertEquals(1, fromFerry.stream().filter(c -> c.equals(List.of("SETBIT", "sp:bits", "7", "1"))).count(), fromFerry::toString);
        assertEquals(1, fromFerry.stream().filter(c -> c.equals(List.of("BITOP", "OR", "sp:bdest", "sp:bnone"))).count(), fromFerry::toString);
    }

    /** Whether a command names an "sp:" key (BITOP names its keys from argument 2 on). */
    static boolean onTestKeys(List<String> cmd) {
        for (int i = 1; i < cmd.size(); i++) if (cmd.get(i).startsWith("sp:")) return true;
        return false;
    }

    /** One RESP array of bulk strings, or null at the end of the input. */
    static List<String> readCommand(InputStream in) throws IOException {
        String header = line(in);
        if (header == null) return null;
        if (!header.startsWith("*")) throw new IOException("not a command: " + header);
        int n = Integer.parseInt(header.substring(1));
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String len = line(in);
            if (len == null || !len.startsWith("$")) throw new IOException("bad bulk header: " + len);
            byte[] data = in.readNBytes(Integer.parseInt(len.substring(1)) + 2);
            out.add(new String(data, 0, data.length - 2, StandardCharsets.ISO_8859_1));
        }
        return out;
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\r') {
                in.read();
                return sb.toString();
            }
            sb.append((char) c);
        }
        if (sb.length() > 0) throw new IOException("truncated line: " + sb);
        return null;
    }

    /**
     * A replica of redis-server reduced to what this test needs: SYNC, skip the RDB payload, then read
     * the command stream (ignoring SELECT, PING and keys outside "sp:").
     */
    static final class RedisTap implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;

        RedisTap(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            in = sync(socket);
        }

        /**
         * Attaches to a server as an old replica does: SYNC, the RDB skipped, then the command stream (the
         * propagation tests of every family read a real redis-server's stream through this).
         */
        static InputStream sync(Socket socket) throws IOException {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(RawClient.encode("SYNC".getBytes(StandardCharsets.US_ASCII)));
            out.flush();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            // newlines keep the link alive while the master prepares the RDB
            int c;
            while ((c = in.read()) == '\n') { }
            if (c != '$') fail("unexpected SYNC reply byte: " + (char) c);
            String len = line(in);
            if (len.startsWith("EOF:")) fail("diskless EOF transfer not expected without REPLCONF capa eof");
            in.skipNBytes(Long.parseLong(len));
            return in;
        }

        /** Commands on "sp:" keys up to and including the SET of the marker key. */
        List<List<String>> until(String marker) throws IOException {
            List<List<String>> out = new ArrayList<>();
            while (true) {
                List<String> cmd = readCommand(in);
                if (cmd == null) throw new IOException("stream ended before " + marker);
                if (!onTestKeys(cmd)) continue;
                if (cmd.get(1).equals(marker)) return out;
                out.add(cmd);
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
