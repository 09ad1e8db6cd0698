package dev.ferry.it;

import dev.ferry.support.CheckRdb;
import dev.ferry.support.RawClient;
import dev.ferry.support.RedisServer;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged Ferry saves as Redis does when it stops: with save points set (the default), SIGTERM writes the
 * final snapshot before exiting 0, and the next start loads it; SHUTDOWN NOSAVE writes none, SHUTDOWN SAVE writes
 * one even without save points. A kill -9 in the middle of a BGSAVE leaves the previous file whole.
 */
class SaveOnStopIT {
    private static final String DEBUG = "-Dferry.enable-debug-command=local";

    @Test
    void sigtermSavesAndTheNextStartLoads() throws Exception {
        Path dir = Files.createTempDirectory("ferry-save-on-stop");
        int port = RedisServer.freePort();
        String digest;
        try (FerryProcess ferry = FerryProcess.start("-Dferry.port=" + port, "-Dferry.dir=" + dir, DEBUG)) {
            ferry.awaitPort(port);
            try (RawClient c = new RawClient(port)) {
                populate(c, 20_000);
                c.call("RPUSH", "list", "a", "b");
                c.call("SET", "ttl", "v", "EX", "10000");
                digest = c.call("DEBUG", "DIGEST");
            }
            ferry.process.destroy();  // SIGTERM
            assertTrue(ferry.process.waitFor(30, TimeUnit.SECONDS), ferry.log());
            assertEquals(0, ferry.process.exitValue(), ferry.log());
            assertTrue(ferry.log().contains("Saving the final RDB snapshot before exiting."), ferry.log());
        }
        assertTrue(CheckRdb.assertWhole(dir.resolve("dump.rdb")).contains("20002 keys read"));
        try (FerryProcess ferry = FerryProcess.start("-Dferry.port=" + port, "-Dferry.dir=" + dir, DEBUG)) {
            ferry.awaitPort(port);
            try (RawClient c = new RawClient(port)) {
                awaitLoaded(c);
                assertEquals(":20002\r\n", c.call("DBSIZE"));
                assertEquals(digest, c.call("DEBUG", "DIGEST"));
            }
        }
    }

    @Test
    void shutdownNosaveWritesNothingAndShutdownSaveWritesWithoutSavePoints() throws Exception {
        Path dir = Files.createTempDirectory("ferry-shutdown-save");
        int port = RedisServer.freePort();
        try (FerryProcess ferry = FerryProcess.start("-Dferry.port=" + port, "-Dferry.dir=" + dir)) {
            ferry.awaitPort(port);
            try (RawClient c = new RawClient(port)) {
                c.call("SET", "k", "v");
                c.send("SHUTDOWN".getBytes(), "NOSAVE".getBytes());
            }
            assertTrue(ferry.process.waitFor(30, TimeUnit.SECONDS), ferry.log());
        }
        assertFalse(Files.exists(dir.resolve("dump.rdb")), "SHUTDOWN NOSAVE saves nothing");
        try (FerryProcess ferry = FerryProcess.start("-Dferry.port=" + port, "-Dferry.dir=" + dir, "-Dferry.save=\"\"")) {
            ferry.awaitPort(port);
            try (RawClient c = new RawClient(port)) {
                c.call("SET", "k", "v");
                c.send("SHUTDOWN".getBytes(), "SAVE".getBytes());
            }
            assertTrue(ferry.process.waitFor(30, TimeUnit.SECONDS), ferry.log());
            assertEquals(0, ferry.process.exitValue(), ferry.log());
        }
        assertTrue(CheckRdb.assertWhole(dir.resolve("dump.rdb")).contains("1 keys read"));
    }

    @Test
    void killNineDuringABgsaveLeavesThePreviousFileWhole() throws Exception {
        Path dir = Files.createTempDirectory("ferry-kill-during-save");
        int port = RedisServer.freePort();
        try (FerryProcess ferry = FerryProcess.start("-Dferry.port=" + port, "-Dferry.dir=" + dir, "-Dferry.save=\"\"")) {
            ferry.awaitPort(port);
            try (RawClient c = new RawClient(port)) {
                c.call("SET", "before", "1");
                assertEquals("+OK\r\n", c.call("SAVE"));
                byte[] saved = Files.readAllBytes(dir.resolve("dump.rdb"));
                // a dataset that takes a while to write, then a BGSAVE killed in the middle
                populate(c, 400_000);
                assertEquals("+Background saving started\r\n", c.call("BGSAVE"));
                long deadline = System.currentTimeMillis() + 10_000;
                while (!hasTempFile(dir) && System.currentTimeMillis() < deadline) Thread.sleep(1);
                assertTrue(hasTempFile(dir), "the BGSAVE was writing when killed");
                ferry.process.destroyForcibly();  // SIGKILL
                assertTrue(ferry.process.waitFor(30, TimeUnit.SECONDS));
                assertArrayEquals(saved, Files.readAllBytes(dir.resolve("dump.rdb")), "the previous file is untouched");
            }
        }
        assertTrue(CheckRdb.assertWhole(dir.resolve("dump.rdb")).contains("1 keys read"));
    }

    @Test
    void aFullDiskFailsTheSaveCleanlyAndTheServerGoesOn() throws Exception {
        Path dir = Files.createTempDirectory("ferry-full-disk");
        int port = RedisServer.freePort();
        // files of at most 2 MB: 100,000 keys uncompressed (~7 MB) do not fit
        try (FerryProcess ferry = FerryProcess.startWithFileSizeLimit(2000, "-Dferry.port=" + port, "-Dferry.dir=" + dir,
                "-Dferry.rdbcompression=false")) {
            ferry.awaitPort(port);
            try (RawClient c = new RawClient(port)) {
                populate(c, 100_000);
                assertEquals("+Background saving started\r\n", c.call("BGSAVE"));
                long deadline = System.currentTimeMillis() + 30_000;
                while (c.call("INFO", "persistence").contains("rdb_bgsave_in_progress:1")) {
                    assertTrue(System.currentTimeMillis() < deadline, "the save did not end");
                    Thread.sleep(20);
                }
                assertTrue(c.call("INFO", "persistence").contains("rdb_last_bgsave_status:err"));
                assertTrue(ferry.log().contains("Background saving error: File too large"), ferry.log());
                // save points are set (the default): writes get MISCONF, reads go on, nothing was lost
                assertTrue(c.call("SET", "k", "v").startsWith("-MISCONF"));
                assertEquals(":100000\r\n", c.call("DBSIZE"));
                assertFalse(hasTempFile(dir), "the partial temp file is removed");
                assertFalse(Files.exists(dir.resolve("dump.rdb")));
                // without save points writes are allowed again; a snapshot that fits succeeds and clears the error
                assertEquals("+OK\r\n", c.call("CONFIG", "SET", "save", ""));
                assertEquals("+OK\r\n", c.call("FLUSHALL"));
                assertEquals("+OK\r\n", c.call("SET", "k", "v"));
                assertEquals("+OK\r\n", c.call("SAVE"));
                assertEquals("+OK\r\n", c.call("CONFIG", "SET", "save", "3600 1"));
                assertEquals("+OK\r\n", c.call("SET", "k", "w"));
                c.send("SHUTDOWN".getBytes(), "NOSAVE".getBytes());
            }
            assertTrue(ferry.process.waitFor(30, TimeUnit.SECONDS));
        }
    }

    private static boolean hasTempFile(Path dir) throws Exception {
        try (var files = Files.list(dir)) {
            return files.anyMatch(p -> p.getFileName().toString().startsWith("temp-"));
        }
    }

    private static void populate(RawClient c, int keys) throws Exception {
        int batch = 1000;
        for (int done = 0; done < keys; ) {
            ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
            int commands = 0;
            for (; commands < 50 && done < keys; commands++) {
                byte[][] args = new byte[1 + 2 * batch][];
                args[0] = "MSET".getBytes();
                for (int i = 0; i < batch; i++, done++) {
                    args[1 + 2 * i] = ("key:" + done).getBytes();
                    args[2 + 2 * i] = ("value-" + "x".repeat(done % 100)).getBytes();
                }
                pipeline.writeBytes(RawClient.encode(args));
            }
            c.sendRaw(pipeline.toByteArray());
            for (int i = 0; i < commands; i++) assertEquals("+OK\r\n", c.readReply());
        }
    }

    private static void awaitLoaded(RawClient c) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (c.call("INFO", "persistence").contains("loading:1")) {
            assertTrue(System.currentTimeMillis() < deadline, "still loading");
            Thread.sleep(20);
        }
    }
}
