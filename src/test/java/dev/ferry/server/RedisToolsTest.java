package dev.ferry.server;

import dev.ferry.support.FerryPort;
import dev.ferry.support.Peers;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** redis-cli and redis-benchmark, the real processes, against Ferry. Database 8 is this test's. */
@QuarkusTest
class RedisToolsTest {

    record Result(int exit, String out) { }

    static Result run(String stdin, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Path out = Files.createTempFile("tool", ".out");
        pb.redirectOutput(out.toFile());
        if (stdin == null) pb.redirectInput(new File("/dev/null"));
        Process p = pb.start();
        if (stdin != null) {
            try (var w = p.getOutputStream()) {
                w.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "tool finished in time: " + String.join(" ", cmd));
        String text = Files.readString(out);
        Files.delete(out);
        return new Result(p.exitValue(), text);
    }

    static String cli(String stdin, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Peers.require("redis-cli"), "-p", Integer.toString(FerryPort.get()), "-n", "8"));
        cmd.addAll(List.of(args));
        Result r = run(stdin, cmd.toArray(new String[0]));
        assertEquals(0, r.exit(), r.out());
        return r.out();
    }

    @Test
    void redisCliCommandsScanAndStdinValue() throws Exception {
        cli(null, "FLUSHDB");
        assertEquals("OK\n", cli(null, "SET", "tools:a", "hello world"));
        assertEquals("hello world\n", cli(null, "GET", "tools:a"));
        assertEquals("(nil)\n", cli(null, "--no-raw", "GET", "tools:none"));
        // -x: the last argument comes from stdin
        assertEquals("OK\n", cli("from stdin", "-x", "SET", "tools:x"));
        assertEquals("from stdin", cli(null, "GET", "tools:x").trim());
        for (int i = 0; i < 50; i++) cli(null, "SET", "tools:scan:" + i, "v");
        String scanned = cli(null, "--scan", "--pattern", "tools:scan:*");
        assertEquals(50, scanned.lines().count());
        assertEquals("(error) ERR wrong number of arguments for 'get' command\n", cli(null, "--no-raw", "GET"));
    }

    @Test
    void redisCliPipeMassInsertion() throws Exception {
        int n = 200_000;
        StringBuilder sb = new StringBuilder(n * 40);
        sb.append("*2\r\n$6\r\nSELECT\r\n$1\r\n8\r\n");
        for (int i = 0; i < n; i++) {
            String k = "mass:" + i, v = "value-" + i;
            sb.append("*3\r\n$3\r\nSET\r\n$").append(k.length()).append("\r\n").append(k).append("\r\n$")
                .append(v.length()).append("\r\n").append(v).append("\r\n");
        }
        String out = cli(sb.toString(), "--pipe");
        assertTrue(out.contains("errors: 0, replies: " + (n + 1)), out);
        try (Jedis j = new Jedis("127.0.0.1", FerryPort.get())) {
            j.select(8);
            assertEquals("value-" + (n - 1), j.get("mass:" + (n - 1)));
            j.flushDB();
        }
    }

    @Test
    void redisBenchmarkStringTestsRunWithoutErrors() throws Exception {
        Result r = run(null, Peers.require("redis-benchmark"), "-p", Integer.toString(FerryPort.get()), "--dbnum", "8",
            "-c", "20", "-n", "20000", "-r", "1000", "-P", "4", "-e", "-q", "-t", "ping,set,get,incr,mset");
        assertEquals(0, r.exit(), r.out());
        String out = r.out().replace('\r', '\n');
        assertFalse(out.contains("ERR"), out);
        for (String test : List.of("PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "MSET (10 keys)")) {
            assertTrue(out.contains(test + ": "), test + " in " + out);
        }
    }
}
