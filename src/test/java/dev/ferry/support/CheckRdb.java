package dev.ferry.support;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** redis-check-rdb from Debian's redis-tools, the real checker of the files Ferry writes. */
public final class CheckRdb {
    private CheckRdb() {}

    /** Runs it on a file, asserts the file is whole ("RDB looks OK"), and returns what it printed. */
    public static String assertWhole(Path file) throws Exception {
        Process p = new ProcessBuilder(Peers.require("redis-check-rdb"), file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "redis-check-rdb did not finish");
        assertTrue(out.contains("RDB looks OK"), file + ": " + out);
        return out;
    }
}
