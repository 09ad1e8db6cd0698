package dev.ferry.command;

import dev.ferry.support.FerryPort;
import dev.ferry.support.RawClient;
import dev.ferry.support.RedisPeer;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MONITOR against a real redis-server: the same commands sent to both with monitors listening, and what the
 * monitors receive compared byte for byte, once the timestamps and the clients' ports are replaced (the ports by
 * the name of the test's connection, so who sent what is compared too).
 */
@QuarkusTest
class MonitorTest {
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer("--enable-debug-command", "local");

    private static final Pattern LINE_START = Pattern.compile("\\+([0-9]+)\\.([0-9]{6}) \\[");
    private static final Pattern ADDR = Pattern.compile("127\\.0\\.0\\.1:([0-9]+)\\]");

    @Test
    void monitorsHearWhatRedisMonitorsHear() throws Exception {
        Session redisSide = session(redis.port());
        Session ferrySide = session(FerryPort.get());
        assertEquals(redisSide.monitor, ferrySide.monitor);
        assertEquals(redisSide.resetMonitor, ferrySide.resetMonitor);
        assertEquals("O", redisSide.monitorFlags);
        assertEquals(redisSide.monitorFlags, ferrySide.monitorFlags);
    }

    /** A replica is a replica already (Redis's CLIENT_SLAVE): its MONITOR is ignored, CLIENT LIST shows S, not O. */
    @Test
    void aReplicaDoesNotBecomeAMonitor() throws Exception {
        for (int port : new int[] {redis.port(), FerryPort.get()}) {
            try (Socket replica = new Socket("127.0.0.1", port); RawClient c = new RawClient(port)) {
                replica.getOutputStream().write("PSYNC ? -1\r\nMONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
                String entry = null;
                for (int i = 0; i < 250 && entry == null; i++) {
                    for (String line : c.call("CLIENT", "LIST").split("\n")) if (line.contains(" cmd=monitor ")) entry = line;
                    if (entry == null) Thread.sleep(20);
                }
                assertTrue(entry != null && entry.contains(" flags=S "), port + ": " + entry);
            }
        }
        // the full resync saved one: a file left there would be loaded by the next test run's start
        java.nio.file.Files.deleteIfExists(java.nio.file.Path.of("target/test-data/dump.rdb"));
    }

    /** What a session's monitors received, normalised, and the flags CLIENT LIST shows for the monitor. */
    record Session(String monitor, String resetMonitor, String monitorFlags) { }

    private static Session session(int port) throws Exception {
        try (Socket monitor = new Socket("127.0.0.1", port); Socket resetMonitor = new Socket("127.0.0.1", port);
             RawClient c = new RawClient(port); RawClient b = new RawClient(port)) {
            Map<String, String> names = new HashMap<>();
            names.put(addrPort(c), "client");
            names.put(addrPort(b), "blocker");
            monitor.setSoTimeout(10_000);
            resetMonitor.setSoTimeout(10_000);
            monitor.getOutputStream().write("MONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
            resetMonitor.getOutputStream().write("MONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("+OK\r\n", readLine(monitor.getInputStream()));
            assertEquals("+OK\r\n", readLine(resetMonitor.getInputStream()));
            c.call("DEL", "mon:k", "mon:a", "mon:n", "mon:list", "mon:x");

            // arguments of every byte value, quoted as sdscatrepr quotes them
            byte[] all = new byte[256];
            for (int i = 0; i < 256; i++) all[i] = (byte) i;
            c.call("SET".getBytes(), "mon:k".getBytes(), all);
            c.call("SET", "mon:k", "v \"q\" \\ \n\r\t\u0007\b\u0001 é");
            c.call("GET", "mon:k");
            c.call("SET", "mon:n", "12345");
            // a transaction: its commands when EXEC runs them, then EXEC
            c.call("MULTI");
            c.call("SET", "mon:a", "1");
            c.call("INCR", "mon:a");
            c.call("EXEC");
            // passwords are redacted, except where Redis returns before redacting
            c.call("AUTH", "secret");
            c.call("AUTH", "user", "secret");
            c.call("AUTH", "a", "b", "c");
            c.call("HELLO", "2", "AUTH", "default", "secret");
            c.call("HELLO", "2");
            c.call("HELLO", "2", "SETNAME", "x", "AUTH", "u");
            c.call("HELLO", "4", "AUTH", "u", "p");
            // refused before running: not shown; failing while running: shown
            c.call("NOSUCH", "x");
            c.call("GET");
            c.call("INCR", "mon:k");
            // admin commands are not shown
            c.call("CLIENT", "SETNAME", "mon");
            c.call("CLIENT", "LIST");
            c.call("CONFIG", "GET", "maxclients");
            c.call("DEBUG", "SLEEP", "0");
            // the database after the command
            c.call("SELECT", "3");
            c.call("SET", "mon:x", "y");
            c.call("DEL", "mon:x");
            c.call("SELECT", "0");
            // MONITOR queued in a transaction fails in EXEC; a transaction with an error is discarded
            c.call("MULTI");
            c.call("MONITOR");
            c.call("EXEC");
            c.call("MULTI");
            c.call("GET", "mon:k");
            c.call("NOSUCH");
            c.call("EXEC");
            // a blocked command is shown when it blocks, not when it is served
            b.send("BLPOP".getBytes(), "mon:list".getBytes(), "0".getBytes());
            String flags = null;
            for (int i = 0; i < 500 && !c.call("CLIENT", "LIST").contains("cmd=blpop"); i++) Thread.sleep(10);
            c.call("RPUSH", "mon:list", "x");
            b.readReply();
            c.call("PUBLISH", "mon:channel", "message");
            c.call("WAIT", "0", "0");
            // the monitor's own commands: its reply first, then its line; MONITOR again: no reply at all
            monitor.getOutputStream().write("MONITOR\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
            for (String line : c.call("CLIENT", "LIST").split("\n")) {
                Matcher m = Pattern.compile(" flags=([A-Za-z]+) .* cmd=(monitor|ping) ").matcher(line);
                if (m.find() && line.contains(" name= ") && flags == null) flags = m.group(1);
            }
            // RESET ends MONITOR mode: the second monitor hears nothing after it
            resetMonitor.getOutputStream().write("RESET\r\n".getBytes(StandardCharsets.US_ASCII));
            String heardUntilReset = readUntil(resetMonitor.getInputStream(), "+RESET\r\n");
            c.call("SET", "mon:after-reset", "1");
            c.call("ECHO", "end");
            String heard = readUntil(monitor.getInputStream(), "\"ECHO\" \"end\"\r\n");
            String heardBeforeReset = heardUntilReset + readUntilQuiet(resetMonitor, 500);
            c.call("DEL", "mon:k", "mon:a", "mon:n", "mon:list", "mon:after-reset");
            return new Session(normalise(heard, names), normalise(heardBeforeReset, names), flags);
        }
    }

    /** The port of the client's own connection, from CLIENT INFO. */
    private static String addrPort(RawClient c) throws IOException {
        Matcher m = Pattern.compile(" addr=127\\.0\\.0\\.1:([0-9]+) ").matcher(c.call("CLIENT", "INFO"));
        assertTrue(m.find());
        return m.group(1);
    }

    /** Timestamps checked (seconds of now, six digits of micros) and replaced, ports replaced by names. */
    private static String normalise(String monitor, Map<String, String> names) {
        long now = System.currentTimeMillis() / 1000;
        Matcher t = LINE_START.matcher(monitor);
        StringBuilder out = new StringBuilder();
        while (t.find()) {
            long seconds = Long.parseLong(t.group(1));
            assertTrue(Math.abs(seconds - now) < 60, t.group());
            t.appendReplacement(out, "+<time> [");
        }
        t.appendTail(out);
        Matcher a = ADDR.matcher(out.toString());
        StringBuilder named = new StringBuilder();
        while (a.find()) a.appendReplacement(named, names.getOrDefault(a.group(1), "monitor") + "]");
        a.appendTail(named);
        return named.toString();
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            b.write(c);
            if (c == '\n') break;
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    private static String readUntil(InputStream in, String end) throws IOException {
        StringBuilder got = new StringBuilder();
        while (!got.toString().endsWith(end)) {
            String line = readLine(in);
            if (line.isEmpty()) throw new IOException("closed after: " + got);
            got.append(line);
        }
        return got.toString();
    }

    /** What arrives until nothing more comes for quietMillis (a monitor that stopped listening). */
    private static String readUntilQuiet(Socket s, int quietMillis) throws IOException {
        s.setSoTimeout(quietMillis);
        StringBuilder got = new StringBuilder();
        try {
            while (true) {
                String line = readLine(s.getInputStream());
                if (line.isEmpty()) break;
                got.append(line);
            }
        } catch (java.net.SocketTimeoutException e) {
            // quiet: it heard everything it will hear
        }
        return got.toString();
    }
}
