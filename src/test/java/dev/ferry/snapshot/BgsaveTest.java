package dev.ferry.snapshot;

import dev.ferry.support.CheckRdb;
import dev.ferry.support.FerryPort;
import dev.ferry.support.RawClient;
import dev.ferry.support.RedisServer;

import io.quarkus.test.junit.QuarkusTest;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * BGSAVE is point-in-time while writes go on: a dataset of every type (small and large encodings, TTLs, three
 * databases) is saved while the same connection's pipeline, sent in the same write as BGSAVE, overwrites,
 * deletes, appends to, increments, edits collections of, expires, flushes and swaps databases and grows the
 * tables; the file then holds exactly the dataset of the instant BGSAVE ran: a real redis-server started on it
 * has the DEBUG DIGEST Ferry had then, and redis-check-rdb finds it whole. Several consecutive rounds, each
 * starting on the dataset the previous one left, some during a rehash (a burst of new keys just before).
 */
@QuarkusTest
class BgsaveTest {
    private static final Path FILE = Path.of("target/test-data/dump.rdb");
    private static final long SEED = Long.getLong("bgsave.seed", 20261201L);

    @AfterEach
    void cleanUp() throws Exception {
        try (RawClient c = new RawClient(FerryPort.get())) {
            c.call("FLUSHALL");
            c.call("CONFIG", "SET", "save", "");
        }
        // the shared test instance loads this file when it starts: leave none behind
        Files.deleteIfExists(FILE);
    }

    @Test
    void theFileHoldsTheDatasetOfTheInstantBgsaveRan() throws Exception {
        Random rnd = new Random(SEED);
        System.out.println("BgsaveTest seed " + SEED + " (replay with -Dbgsave.seed=" + SEED + ")");
        try (RawClient c = new RawClient(FerryPort.get())) {
            c.call("FLUSHALL");
            fill(c, rnd);
            for (int round = 0; round < 4; round++) {
                List<String[]> burst = new ArrayList<>();
                // rounds 1 and 3 start while the keyspace's table is rehashing: a burst of new keys just before
                if (round % 2 == 1) for (int i = 0; i < 20; i++) burst.add(mset("grow" + round + ":" + i + ":", 400, rnd));
                pipeline(c, burst);
                String digest = c.call("DEBUG", "DIGEST");
                List<String[]> writes = new ArrayList<>();
                writes.add(new String[] {"INFO", "replication"});
                writes.add(new String[] {"BGSAVE"});
                for (int i = 0; i < 3000; i++) writes.add(randomWrite(rnd));
                List<String> replies = pipeline(c, writes);
                assertEquals("+Background saving started\r\n", replies.get(1), "round " + round);
                // more writes while the snapshot is still being written
                while (inProgress(c)) pipeline(c, List.of(randomWrite(rnd), randomWrite(rnd), randomWrite(rnd)));
                String info = c.call("INFO", "persistence");
                assertTrue(info.contains("rdb_last_bgsave_status:ok"), info);
                String checked = assertFileHolds(digest, "round " + round);
                // the file names its dataset by replication id and offset, those of BGSAVE's instant (the offset
                // counts the stream's bytes even with no replica attached)
                String offset = field(replies.get(0), "master_repl_offset"), replid = field(replies.get(0), "master_replid");
                assertTrue(Long.parseLong(offset) > 0, "the offset moves without replicas: " + offset);
                assertTrue(checked.contains("AUX FIELD repl-offset = '" + offset + "'"), offset + " in " + checked);
                assertTrue(checked.contains("AUX FIELD repl-id = '" + replid + "'"), replid + " in " + checked);
            }
        }
    }

    /**
     * The plain SET of a value as long as the key's overwrites it in place (no new objects for the collector);
     * never a value a snapshot captured and its writer thread has yet to write: with BGSAVE in the same pipeline
     * as a SET of every key, the file still holds the values of BGSAVE's instant.
     */
    @Test
    void plainSetsInPlaceDoNotReachTheSnapshot() throws Exception {
        try (RawClient c = new RawClient(FerryPort.get())) {
            c.call("FLUSHALL");
            int n = 100_000;
            c.call("DEBUG", "POPULATE", Integer.toString(n), "ip", "100");
            String digest = c.call("DEBUG", "DIGEST");
            List<String[]> writes = new ArrayList<>();
            writes.add(new String[] {"BGSAVE"});
            for (int i = 0; i < n; i++) writes.add(new String[] {"SET", "ip:" + i, String.format("%-100s", "new " + i)});
            List<String> replies = pipeline(c, writes);
            assertEquals("+Background saving started\r\n", replies.get(0));
            while (inProgress(c)) Thread.sleep(5);
            assertEquals("$100\r\n" + String.format("%-100s", "new 7") + "\r\n", c.call("GET", "ip:7"), "the SETs happened");
            assertFileHolds(digest, "plain SETs in place");
        }
    }

    /**
     * A write to a large hash of a database the walk has not reached, in the same pipeline as BGSAVE: its table
     * capture fills past the in-flight bound while its key waits in a chunk held for that database. The walk
     * must go on (the writer has nothing to write); it once waited for the writer, which waited for a chunk,
     * and the save never ended.
     */
    @Test
    void aCaptureHeldForALaterDatabaseDoesNotStallTheSave() throws Exception {
        try (RawClient c = new RawClient(FerryPort.get())) {
            c.call("FLUSHALL");
            c.call("DEBUG", "POPULATE", "200000", "w", "10");
            c.call("SELECT", "1");
            String value = "v".repeat(100);
            List<String[]> fill = new ArrayList<>();
            for (int i = 0; i < 4000; i++) {
                List<String> cmd = new ArrayList<>(List.of("HSET", "big"));
                for (int j = 0; j < 100; j++) {
                    cmd.add("f" + (i * 100 + j));
                    cmd.add(value);
                }
                fill.add(cmd.toArray(new String[0]));
            }
            pipeline(c, fill);
            List<String> replies = pipeline(c, List.of(new String[] {"BGSAVE"}, new String[] {"HSET", "big", "f0", "new"}));
            assertEquals("+Background saving started\r\n", replies.get(0));
            long deadline = System.currentTimeMillis() + 60_000;
            while (inProgress(c)) {
                assertTrue(System.currentTimeMillis() < deadline, "the save did not end");
                Thread.sleep(20);
            }
            assertTrue(c.call("INFO", "persistence").contains("rdb_last_bgsave_status:ok"));
            c.call("FLUSHALL");
            c.call("SELECT", "0");
        }
    }

    /**
     * Large hashes, sets, sorted sets and lists (50k-150k members each, several of each type in two databases)
     * are captured incrementally (ARCHITECTURE.md, "Large values and snapshots"): their tables in snapshot mode,
     * filled by the walk and by the barrier before each write, the lists by node-level copy-on-write. The
     * pipeline sent with BGSAVE changes them heavily (fields updated in place and added by the hundred so that
     * the tables grow under the walk, deletions, pops, score changes, LSET, LINSERT, LREM, LTRIM, whole keys
     * deleted, overwritten, renamed and made anew), and so do the writes while the file is written; the file
     * holds the dataset of BGSAVE's instant, round after round.
     */
    @Test
    void largeCollectionsAreCapturedAtTheInstantOfBgsave() throws Exception {
        Random rnd = new Random(SEED + 1);
        try (RawClient c = new RawClient(FerryPort.get())) {
            c.call("FLUSHALL");
            for (int db = 0; db < 2; db++) {
                c.call("SELECT", Integer.toString(db));
                for (int k = 0; k < BIG_KEYS; k++) fillBig(c, k, db == 0 ? 60_000 + 20_000 * k : 50_000, rnd);
            }
            c.call("SELECT", "0");
            for (int round = 0; round < 3; round++) {
                String digest = c.call("DEBUG", "DIGEST");
                List<String[]> writes = new ArrayList<>();
                writes.add(new String[] {"BGSAVE"});
                for (int i = 0; i < 2500; i++) writes.add(bigWrite(rnd, round));
                List<String> replies = pipeline(c, writes);
                assertEquals("+Background saving started\r\n", replies.get(0), "round " + round);
                // writes go on while the save runs, up to a bound: the idle-priority writer gets only the CPU these
                // leave, and unbounded writes on a slow machine grew the dataset faster than it was saved (416 MB
                // by the third round, too large for the check's redis-server to load in its start-up time)
                int extra = 0;
                while (inProgress(c)) {
                    if (extra++ >= 150) {
                        Thread.sleep(20);
                        continue;
                    }
                    List<String[]> more = new ArrayList<>();
                    for (int i = 0; i < 20; i++) more.add(bigWrite(rnd, round));
                    pipeline(c, more);
                }
                String info = c.call("INFO", "persistence");
                assertTrue(info.contains("rdb_last_bgsave_status:ok"), info);
                assertFileHolds(digest, "large values, round " + round);
                // the keys deleted or overwritten this round are large again for the next one
                for (int db = 0; db < 2; db++) {
                    c.call("SELECT", Integer.toString(db));
                    for (int k = 0; k < BIG_KEYS; k++) {
                        for (String type : new String[] {"h", "s", "z", "l"}) {
                            String key = "big" + type + k;
                            String t = c.call("TYPE", key);
                            if (!t.equals("+" + typeName(type) + "\r\n")) {
                                c.call("DEL", key);
                                fillBigOne(c, type, key, 50_000, rnd);
                            }
                        }
                    }
                }
                c.call("SELECT", "0");
            }
        }
    }

    private static final int BIG_KEYS = 2;

    private static String typeName(String t) {
        return switch (t) {
            case "h" -> "hash";
            case "s" -> "set";
            case "z" -> "zset";
            default -> "list";
        };
    }

    private static void fillBig(RawClient c, int k, int n, Random rnd) throws Exception {
        for (String type : new String[] {"h", "s", "z", "l"}) fillBigOne(c, type, "big" + type + k, type.equals("l") ? 2 * n : n, rnd);
    }

    /** A large value of the type named by t, n members, in commands of 1000. */
    private static void fillBigOne(RawClient c, String t, String key, int n, Random rnd) throws Exception {
        List<String[]> cmds = new ArrayList<>();
        for (int from = 0; from < n; from += 1000) {
            List<String> a = new ArrayList<>();
            a.add(switch (t) {
                case "h" -> "HSET";
                case "s" -> "SADD";
                case "z" -> "ZADD";
                default -> "RPUSH";
            });
            a.add(key);
            for (int i = from; i < Math.min(n, from + 1000); i++) {
                switch (t) {
                    case "h" -> {
                        a.add("f" + i);
                        a.add("v" + i + "-" + "x".repeat(rnd.nextInt(20)));
                    }
                    case "z" -> {
                        a.add(rnd.nextInt(4) == 0 ? Double.toString(rnd.nextDouble() * 1000) : Integer.toString(rnd.nextInt(5000)));
                        a.add("m" + i);
                    }
                    case "l" -> a.add(rnd.nextInt(5) == 0 ? Integer.toString(i) : "e" + i);
                    default -> a.add("m" + i);
                }
            }
            cmds.add(a.toArray(new String[0]));
        }
        pipeline(c, cmds);
    }

    /** A write to the large values (some to whole keys), in database 0 or 1. */
    private static String[] bigWrite(Random rnd, int round) {
        String k = Integer.toString(rnd.nextInt(BIG_KEYS));
        int i = rnd.nextInt(60_000);
        String v = "r" + round + "-" + rnd.nextInt(100_000);
        int op = rnd.nextInt(44);
        return switch (op) {
            case 0 -> new String[] {"SELECT", Integer.toString(rnd.nextInt(2))};
            case 1, 2, 3 -> new String[] {"HSET", "bigh" + k, "f" + i, v};
            case 4 -> grow("HSET", "bigh" + k, "n" + round + "-" + rnd.nextInt(1_000_000) + ":", 300, true);
            case 5, 6 -> new String[] {"HDEL", "bigh" + k, "f" + i, "f" + (i + 1), "f" + (i + 7)};
            case 7 -> new String[] {"HINCRBY", "bigh" + k, "counter" + rnd.nextInt(10), "1"};
            case 8, 9 -> new String[] {"SADD", "bigs" + k, "m" + i, v};
            case 10 -> grow("SADD", "bigs" + k, "n" + round + "-" + rnd.nextInt(1_000_000) + ":", 300, false);
            case 11, 12 -> new String[] {"SREM", "bigs" + k, "m" + i, "m" + (i + 3)};
            case 13 -> new String[] {"SPOP", "bigs" + k, "3"};
            case 14, 15 -> new String[] {"ZADD", "bigz" + k, Integer.toString(rnd.nextInt(5000)), "m" + i};
            case 16 -> grow("ZADD", "bigz" + k, "n" + round + "-" + rnd.nextInt(1_000_000) + ":", 300, true);
            case 17 -> new String[] {"ZINCRBY", "bigz" + k, "2.5", "m" + i};
            case 18, 19 -> new String[] {"ZREM", "bigz" + k, "m" + i, "m" + (i + 5)};
            case 20 -> new String[] {"ZPOPMIN", "bigz" + k, "4"};
            case 21 -> new String[] {"ZPOPMAX", "bigz" + k};
            case 22 -> new String[] {"ZREMRANGEBYRANK", "bigz" + k, "100", "110"};
            case 23, 24 -> new String[] {"RPUSH", "bigl" + k, v, "x" + v};
            case 25 -> new String[] {"LPUSH", "bigl" + k, v};
            case 26 -> new String[] {"LPOP", "bigl" + k, "3"};
            case 27 -> new String[] {"RPOP", "bigl" + k};
            case 28, 29 -> new String[] {"LSET", "bigl" + k, Integer.toString(rnd.nextInt(100_000) - 50_000), v};
            case 30 -> new String[] {"LINSERT", "bigl" + k, rnd.nextBoolean() ? "BEFORE" : "AFTER", "e" + (1 + rnd.nextInt(3000)), v};
            case 31 -> new String[] {"LREM", "bigl" + k, Integer.toString(rnd.nextInt(3) - 1), "e" + (1 + rnd.nextInt(3000))};
            case 32 -> new String[] {"LTRIM", "bigl" + k, Integer.toString(rnd.nextInt(20)), Integer.toString(-1 - rnd.nextInt(20))};
            case 33 -> new String[] {"LMOVE", "bigl" + k, "bigl" + (1 - Integer.parseInt(k)), "LEFT", "RIGHT"};
            case 34 -> grow("RPUSH", "bigl" + k, "g" + round + ":", 500, false);
            case 35 -> new String[] {"SMOVE", "bigs" + k, "bigs" + (1 - Integer.parseInt(k)), "m" + i};
            case 36 -> new String[] {"HDEL", "bigh" + k, "n" + round + "-" + i};
            // whole keys: rare, each is a large value gone, replaced or moved
            case 37 -> rnd.nextInt(15) == 0 ? new String[] {"DEL", "big" + "hszl".charAt(rnd.nextInt(4)) + k} : new String[] {"HGET", "bigh" + k, "f" + i};
            case 38 -> rnd.nextInt(15) == 0 ? new String[] {"SET", "big" + "hszl".charAt(rnd.nextInt(4)) + k, v} : new String[] {"SCARD", "bigs" + k};
            case 39 -> rnd.nextInt(15) == 0 ? new String[] {"RENAME", "big" + "hszl".charAt(rnd.nextInt(4)) + k, "moved:" + v} : new String[] {"LLEN", "bigl" + k};
            case 40 -> rnd.nextInt(10) == 0 ? grow("HSET", "newbig" + k, "n" + round + ":", 600, true) : new String[] {"ZCARD", "bigz" + k};
            case 41 -> new String[] {"ZADD", "bigz" + k, "XX", "INCR", "-1", "m" + i};
            case 42 -> new String[] {"LINDEX", "bigl" + k, Integer.toString(i)};
            default -> new String[] {"HSET", "bigh" + k, "f" + i, v + "-" + "y".repeat(rnd.nextInt(40))};
        };
    }

    /** A command adding n new members with this prefix (pairs: a value or a score with each). */
    private static String[] grow(String cmd, String key, String prefix, int n, boolean pairs) {
        List<String> a = new ArrayList<>(List.of(cmd, key));
        for (int i = 0; i < n; i++) {
            if (pairs && cmd.equals("ZADD")) a.add(Integer.toString(i % 101));
            a.add(prefix + i);
            if (pairs && cmd.equals("HSET")) a.add("val" + i);
        }
        return a.toArray(new String[0]);
    }

    @Test
    void theWriterOfABackgroundSaveRunsUnderSchedIdle() throws Exception {
        // ferry.bgsave-idle-limit is 30s unless set: a save this small stays under SCHED_IDLE (policy 5) to its end
        try (RawClient c = new RawClient(FerryPort.get())) {
            byte[] value = "v".repeat(100).getBytes();
            for (int i = 0; i < 200_000; i += 1000) {
                List<byte[]> a = new ArrayList<>(List.of("MSET".getBytes()));
                for (int j = i; j < i + 1000; j++) {
                    a.add(("nice:" + j).getBytes());
                    a.add(value);
                }
                assertEquals("+OK", c.call(a.toArray(new byte[0][])).trim());
            }
            assertTrue(c.call("BGSAVE").startsWith("+Background saving started"));
            int seen = -1;
            while (seen != 5 && inProgress(c)) seen = writerPolicy();
            awaitDone(c);
            assertEquals(5, seen, "the writer thread's scheduling policy while BGSAVE ran");
        }
    }

    /** The scheduling policy of the snapshot writer thread of this JVM (the Quarkus test instance's), or -1 if none. */
    private static int writerPolicy() throws Exception {
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    // Linux keeps the first 15 bytes of a thread's name
                    if (!Files.readString(task.resolve("comm")).trim().equals("ferry-snapshot-")) continue;
                    return ThreadNice.policyOf(task);
                } catch (java.io.IOException gone) {
                    // the thread ended while we looked
                }
            }
        }
        return -1;
    }

    @Test
    void saveAnswersOnceTheFileIsWhole() throws Exception {
        try (RawClient c = new RawClient(FerryPort.get())) {
            c.call("FLUSHALL");
            fill(c, new Random(7));
            String digest = c.call("DEBUG", "DIGEST");
            long before = Long.parseLong(c.call("LASTSAVE").substring(1).trim());
            Thread.sleep(1100);
            assertEquals("+OK\r\n", c.call("SAVE"));
            assertFileHolds(digest, "SAVE");
            long after = Long.parseLong(c.call("LASTSAVE").substring(1).trim());
            assertTrue(after > before, "LASTSAVE moves: " + before + " -> " + after);
            String info = c.call("INFO", "persistence");
            assertTrue(info.contains("rdb_changes_since_last_save:0\r\n"), info);
            c.call("SET", "one-more", "x");
            assertTrue(c.call("INFO", "persistence").contains("rdb_changes_since_last_save:1\r\n"));
        }
    }

    @Test
    void aFailedBgsaveRefusesWritesWithMisconfUntilASaveSucceeds() throws Exception {
        Path blocker = FILE.resolve("blocker");
        try (RawClient c = new RawClient(FerryPort.get())) {
            c.call("FLUSHALL");
            c.call("SET", "k", "v");
            // the rename onto dump.rdb fails while a non-empty directory has that name
            Files.createDirectories(blocker);
            c.call("CONFIG", "SET", "save", "3600 1");
            assertEquals("+Background saving started\r\n", c.call("BGSAVE"));
            awaitDone(c);
            assertTrue(c.call("INFO", "persistence").contains("rdb_last_bgsave_status:err"));
            String misconf = c.call("SET", "k", "w");
            assertTrue(misconf.startsWith("-MISCONF Redis is configured to save RDB snapshots"), misconf);
            assertTrue(c.call("PING").startsWith("-MISCONF"), "PING is refused too, as in Redis");
            assertEquals("$1\r\nv\r\n", c.call("GET", "k"), "reads go on");
            // without save points the error does not stop writes (writeCommandsDeniedByDiskError)
            c.call("CONFIG", "SET", "save", "");
            assertEquals("+OK\r\n", c.call("SET", "k", "w"));
            c.call("CONFIG", "SET", "save", "3600 1");
            assertTrue(c.call("SET", "k", "x").startsWith("-MISCONF"));
            Files.delete(blocker);
            Files.delete(FILE);
            assertEquals("+OK\r\n", c.call("SAVE"));
            assertEquals("+OK\r\n", c.call("SET", "k", "x"));
            assertEquals("+PONG\r\n", c.call("PING"));
        } finally {
            if (Files.isDirectory(FILE)) {
                Files.deleteIfExists(blocker);
                Files.delete(FILE);
            }
        }
    }

    @Test
    void debugReloadSavesFlushesAndLoadsBack() throws Exception {
        try (RawClient c = new RawClient(FerryPort.get())) {
            c.call("FLUSHALL");
            fill(c, new Random(11));
            String digest = c.call("DEBUG", "DIGEST");
            assertEquals("+OK\r\n", c.call("DEBUG", "RELOAD"));
            assertEquals(digest, c.call("DEBUG", "DIGEST"));
            c.call("SET", "extra", "1");
            // NOSAVE loads the file as it is: the key set since is gone
            assertEquals("+OK\r\n", c.call("DEBUG", "RELOAD", "NOSAVE"));
            assertEquals(digest, c.call("DEBUG", "DIGEST"));
            assertEquals("-ERR Error trying to load the RDB dump, check server logs.\r\n",
                c.call("DEBUG", "RELOAD", "NOSAVE", "NOFLUSH"), "every key is a duplicate");
            assertEquals("+OK\r\n", c.call("DEBUG", "RELOAD", "NOSAVE", "NOFLUSH", "MERGE"));
            assertEquals(digest, c.call("DEBUG", "DIGEST"));
            assertEquals("-ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.\r\n",
                c.call("DEBUG", "RELOAD", "FAST"));
        }
    }

    @Test
    void withoutCompressionOrChecksumTheFileIsStillRedisReadable() throws Exception {
        try (RawClient c = new RawClient(FerryPort.get())) {
            c.call("FLUSHALL");
            fill(c, new Random(12));
            String digest = c.call("DEBUG", "DIGEST");
            assertEquals("+OK\r\n", c.call("CONFIG", "SET", "rdbcompression", "no", "rdbchecksum", "no"));
            try {
                assertEquals("+OK\r\n", c.call("SAVE"));
                byte[] file = Files.readAllBytes(FILE);
                for (int i = file.length - 8; i < file.length; i++) assertEquals(0, file[i], "no CRC: 8 zero bytes");
                assertFileHolds(digest, "rdbchecksum no");
                assertEquals("+OK\r\n", c.call("DEBUG", "RELOAD", "NOSAVE"));
                assertEquals(digest, c.call("DEBUG", "DIGEST"));
                c.call("CONFIG", "SET", "rdbcompression", "yes");
                assertEquals("+OK\r\n", c.call("SAVE"));
                assertTrue(Files.size(FILE) < file.length, "LZF makes the file smaller: " + Files.size(FILE) + " vs " + file.length);
            } finally {
                c.call("CONFIG", "SET", "rdbcompression", "yes", "rdbchecksum", "yes");
            }
        }
    }

    @Test
    void aDueSavePointStartsABackgroundSave() throws Exception {
        try (RawClient c = new RawClient(FerryPort.get())) {
            c.call("FLUSHALL");
            c.call("SET", "k", "v");
            Files.deleteIfExists(FILE);
            Thread.sleep(1100);
            // live: no save point, no save
            assertEquals("+OK\r\n", c.call("CONFIG", "SET", "save", "1 1"));
            assertEquals("*2\r\n$4\r\nsave\r\n$3\r\n1 1\r\n", c.call("CONFIG", "GET", "save"));
            long deadline = System.currentTimeMillis() + 10_000;
            while (!Files.exists(FILE) && System.currentTimeMillis() < deadline) Thread.sleep(20);
            assertTrue(Files.exists(FILE), "a save point that is due starts a BGSAVE");
            awaitDone(c);
            assertTrue(c.call("INFO", "persistence").contains("rdb_changes_since_last_save:0\r\n"));
        }
    }

    @Test
    void bgsaveRepliesAsRedisDoes() throws Exception {
        try (RawClient c = new RawClient(FerryPort.get())) {
            c.call("FLUSHALL");
            assertEquals("-ERR syntax error\r\n", c.call("BGSAVE", "NOW"));
            assertEquals("-ERR syntax error\r\n", c.call("BGSAVE", "SCHEDULE", "x"));
            assertEquals("-ERR wrong number of arguments for 'save' command\r\n", c.call("SAVE", "x"));
            c.call("MULTI");
            assertEquals("-ERR Command not allowed inside a transaction\r\n", c.call("SAVE"));
            c.call("DISCARD");
            // inside a transaction BGSAVE is scheduled for the cron, which starts it
            c.call("MULTI");
            c.call("BGSAVE");
            assertEquals("*1\r\n+Background saving scheduled\r\n", c.call("EXEC"));
            long deadline = System.currentTimeMillis() + 10_000;
            while (!Files.exists(FILE) && System.currentTimeMillis() < deadline) Thread.sleep(20);
            assertTrue(Files.exists(FILE), "the scheduled BGSAVE ran");
            awaitDone(c);
        }
    }

    // ---- the dataset and the writes ----------------------------------------------------------------

    private static void fill(RawClient c, Random rnd) throws Exception {
        List<String[]> cmds = new ArrayList<>();
        for (int db = 0; db < 3; db++) {
            cmds.add(new String[] {"SELECT", Integer.toString(db)});
            for (int i = 0; i < (db == 0 ? 40 : 10); i++) cmds.add(mset("s:", 500, rnd));
            for (int i = 0; i < 300; i++) {
                cmds.add(new String[] {"RPUSH", "l:" + i, "a", "bb", Integer.toString(i)});
                cmds.add(new String[] {"HSET", "h:" + i, "f", "v" + i, "n", Integer.toString(i)});
                cmds.add(new String[] {"SADD", "set:" + i, Integer.toString(i), "7"});
                cmds.add(new String[] {"ZADD", "z:" + i, "1.5", "a", Integer.toString(i), "b"});
                cmds.add(new String[] {"SET", "n:" + i, Integer.toString(i * 1000)});
                cmds.add(new String[] {"SET", "t:" + i, "x".repeat(i % 60), "PX", Integer.toString(10_000_000 + i)});
            }
            cmds.add(big("RPUSH", "lbig", 3000, false));
            cmds.add(big("HSET", "hbig", 1000, true));
            cmds.add(big("SADD", "sbig", 1000, false));
            cmds.add(big("ZADD", "zbig", 1000, true));
            cmds.add(new String[] {"PFADD", "hll", "a", "b", "c"});
            cmds.add(new String[] {"SETBIT", "bits", "1000", "1"});
        }
        cmds.add(new String[] {"SELECT", "0"});
        pipeline(c, cmds);
    }

    private static String[] mset(String prefix, int n, Random rnd) {
        String[] a = new String[1 + 2 * n];
        a[0] = "MSET";
        for (int i = 0; i < n; i++) {
            a[1 + 2 * i] = prefix + rnd.nextInt(1_000_000);
            a[2 + 2 * i] = rnd.nextInt(4) == 0 ? Integer.toString(rnd.nextInt()) : "value-" + "x".repeat(rnd.nextInt(120));
        }
        return a;
    }

    private static String[] big(String cmd, String key, int n, boolean pairs) {
        List<String> a = new ArrayList<>(List.of(cmd, key));
        for (int i = 0; i < n; i++) {
            if (pairs && cmd.equals("ZADD")) a.add(Integer.toString(i % 97));
            a.add("member-" + i);
            if (pairs && cmd.equals("HSET")) a.add("value-" + i);
        }
        return a.toArray(new String[0]);
    }

    /** One write of the mix; keys chosen among those fill() made so that most writes hit existing keys. */
    private static String[] randomWrite(Random rnd) {
        int i = rnd.nextInt(300);
        String v = "w" + rnd.nextInt(1000);
        return switch (rnd.nextInt(30)) {
            case 0 -> new String[] {"SELECT", Integer.toString(rnd.nextInt(3))};
            case 1 -> new String[] {"SET", "s:" + rnd.nextInt(1_000_000), v};
            case 2 -> new String[] {"APPEND", "t:" + i, v};
            case 3 -> new String[] {"SETRANGE", "t:" + i, "1", v};
            case 4 -> new String[] {"INCRBY", "n:" + i, Integer.toString(rnd.nextInt(100))};
            case 5 -> new String[] {"DEL", "l:" + i, "h:" + rnd.nextInt(300)};
            case 6 -> new String[] {"RPUSH", "l:" + i, v};
            case 7 -> new String[] {"LPOP", "l:" + i};
            case 8 -> new String[] {"HSET", "h:" + i, "f", v};
            case 9 -> new String[] {"HDEL", "h:" + i, "n"};
            case 10 -> new String[] {"SADD", "set:" + i, v};
            case 11 -> new String[] {"SREM", "set:" + i, "7"};
            case 12 -> new String[] {"ZADD", "z:" + i, Integer.toString(rnd.nextInt(50)), "a"};
            case 13 -> new String[] {"ZREM", "z:" + i, "b"};
            case 14 -> new String[] {"PEXPIRE", "n:" + i, Integer.toString(5_000_000 + rnd.nextInt(1000))};
            case 15 -> new String[] {"PERSIST", "t:" + i};
            case 16 -> new String[] {"RPUSH", "lbig", v};
            case 17 -> new String[] {"LSET", "lbig", Integer.toString(rnd.nextInt(3000)), v};
            case 18 -> new String[] {"HSET", "hbig", "member-" + rnd.nextInt(1000), v};
            case 19 -> new String[] {"SREM", "sbig", "member-" + rnd.nextInt(1000)};
            case 20 -> new String[] {"ZINCRBY", "zbig", "3", "member-" + rnd.nextInt(1000)};
            case 21 -> new String[] {"PFADD", "hll", v};
            case 22 -> new String[] {"SETBIT", "bits", Integer.toString(rnd.nextInt(4000)), "1"};
            case 23 -> rnd.nextInt(20) == 0 ? new String[] {"SWAPDB", "0", Integer.toString(1 + rnd.nextInt(2))}
                : new String[] {"SET", "new:" + rnd.nextInt(100_000), v};
            case 24 -> rnd.nextInt(40) == 0 ? new String[] {"FLUSHDB"} : new String[] {"DEL", "s:" + rnd.nextInt(1_000_000)};
            case 25 -> new String[] {"LTRIM", "lbig", "0", Integer.toString(2000 + rnd.nextInt(1000))};
            case 26 -> new String[] {"RENAME", "n:" + i, "renamed:" + i};
            case 27 -> new String[] {"GETDEL", "t:" + i};
            case 28 -> new String[] {"ZPOPMIN", "zbig"};
            default -> mset("s:", 20, rnd);
        };
    }

    // ---- helpers -----------------------------------------------------------------------------------

    /** Sends every command in one write, then reads as many replies. */
    private static List<String> pipeline(RawClient c, List<String[]> cmds) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String[] cmd : cmds) {
            byte[][] b = new byte[cmd.length][];
            for (int i = 0; i < cmd.length; i++) b[i] = cmd[i].getBytes(StandardCharsets.UTF_8);
            out.writeBytes(RawClient.encode(b));
        }
        c.sendRaw(out.toByteArray());
        List<String> replies = new ArrayList<>(cmds.size());
        for (int i = 0; i < cmds.size(); i++) replies.add(c.readReply());
        return replies;
    }

    private static boolean inProgress(RawClient c) throws Exception {
        return c.call("INFO", "persistence").contains("rdb_bgsave_in_progress:1");
    }

    private static void awaitDone(RawClient c) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (inProgress(c)) {
            assertTrue(System.currentTimeMillis() < deadline, "BGSAVE did not end");
            Thread.sleep(10);
        }
    }

    /** For a failure's message: up to 5 keys whose value digest differs between the loaded file and Ferry now. */
    private static List<String> differingKeys(RawClient redis) throws Exception {
        List<String> out = new ArrayList<>();
        try (RawClient ferry = new RawClient(FerryPort.get())) {
            for (int db = 0; db < 16; db++) {
                redis.call("SELECT", Integer.toString(db));
                ferry.call("SELECT", Integer.toString(db));
                String a = redis.call("DBSIZE").trim(), b = ferry.call("DBSIZE").trim();
                if (!a.equals(b)) out.add("db" + db + " has " + a + " keys in the file, " + b + " in Ferry");
            }
            for (int db = 0; db < 3 && out.size() < 5; db++) {
                redis.call("SELECT", Integer.toString(db));
                ferry.call("SELECT", Integer.toString(db));
                for (String key : ferry.call("KEYS", "*").split("\r\n")) {
                    if (key.startsWith("*") || key.startsWith("$") || out.size() >= 5) continue;
                    String a = redis.call("DEBUG", "DIGEST-VALUE", key), b = ferry.call("DEBUG", "DIGEST-VALUE", key);
                    if (!a.equals(b)) out.add("db" + db + " " + key + " " + redis.call("TYPE", key).trim());
                    String ta = redis.call("PEXPIRETIME", key), tb = ferry.call("PEXPIRETIME", key);
                    if (!ta.equals(tb)) out.add("db" + db + " " + key + " expires at " + ta.trim() + " in the file, " + tb.trim() + " in Ferry");
                }
            }
        }
        return out;
    }

    /** redis-check-rdb finds the file whole, and a redis-server started on a copy has this digest. */
    private static String field(String info, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + ":(\\S+)").matcher(info);
        assertTrue(m.find(), name + " in " + info);
        return m.group(1);
    }

    /** Returns redis-check-rdb's output. */
    private static String assertFileHolds(String digest, String what) throws Exception {
        Path dir = Files.createTempDirectory("ferry-bgsave");
        Files.copy(FILE, dir.resolve("dump.rdb"), StandardCopyOption.REPLACE_EXISTING);
        String out = CheckRdb.assertWhole(dir.resolve("dump.rdb"));
        try (RedisServer redis = RedisServer.start("--dir", dir.toString(), "--dbfilename", "dump.rdb",
                "--enable-debug-command", "local");
             RawClient r = new RawClient(redis.port())) {
            String loaded = r.call("DEBUG", "DIGEST");
            if (!digest.equals(loaded)) {
                try (RawClient f = new RawClient(FerryPort.get())) {
                    System.out.println(what + ": Ferry's digest now " + f.call("DEBUG", "DIGEST").trim() + ", before "
                        + digest.trim() + ", file " + loaded.trim() + "; keys that differ: " + differingKeys(r));
                }
            }
            assertEquals(digest, loaded, what + ": the file holds the dataset of BGSAVE's instant");
        }
        Matcher m = Pattern.compile("\\[info\\] (\\d+) keys read").matcher(out);
        assertTrue(m.find(), out);
        return out;
    }
}
